package io.seqattn.core.mixer;

import io.seqattn.core.attention.ChunkOutputs;

/**
 * A {@link TokenMixer} on ND4J for one task thread: its two passes over one chunk of tokens, the
 * first at global position {@code start}. Built from a model inside a task, never serialized;
 * not thread-safe.
 *
 * @param <S> the mixer's summary type
 */
public interface MixerKernel<S> {

  /** Pass 1: the chunk's summary. */
  S summarize(int[] tokens, long start);

  /**
   * Pass 2: the chunk's outputs read against {@code context} — what {@link TokenMixer#crossChunk}
   * gave this chunk (null: a sequence's first chunk under an ordered scan).
   *
   * @param keepOutputs whether to return every position's output, else only their pooled sum
   */
  ChunkOutputs attend(int[] tokens, long start, S context, boolean keepOutputs);
}
