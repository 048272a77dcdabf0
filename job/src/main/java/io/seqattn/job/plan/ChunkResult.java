package io.seqattn.job.plan;

import io.seqattn.core.attention.PooledSum;
import java.io.Serializable;

/**
 * Pass 2's result for one chunk: its pooled output sum and, with --emit-outputs, the outputs (and
 * the soft-mask flags, when the run keeps them; else null).
 */
record ChunkResult(long start, int tokens, PooledSum pooled, float[] outputs, boolean[] softMasked)
    implements Serializable {}
