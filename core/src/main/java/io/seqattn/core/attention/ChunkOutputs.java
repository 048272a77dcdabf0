package io.seqattn.core.attention;

/**
 * What pass 2 yields for one chunk: the pooled sum of its outputs and, when asked for, the outputs
 * themselves as a row-major [tokens, heads·d_head] float array (null otherwise).
 */
public record ChunkOutputs(PooledSum pooled, float[] outputs) {}
