package io.seqattn.core.network;

import io.seqattn.core.attention.ChunkOutputs;

/**
 * A {@link NetworkKernel} that also runs one block at a time on a chunk's stored activations, so an
 * engine can keep each layer's input between its passes instead of recomputing it from the tokens
 * through every earlier layer (L(L+1)/2 block evaluations for L layers). Activations are plain
 * row-major [n, d] float arrays — what travels between Spark tasks — never ND4J arrays. Running
 * the blocks here one by one computes exactly what {@link #summarize} and {@link #attend} compute
 * in one task, bit for bit.
 */
public interface LayeredKernel extends NetworkKernel {

  /** Block 0's input: the chunk's tokens embedded (with positions), [n, d] row-major. */
  float[] embedded(int[] tokens, long start);

  /** Layer {@code layer}'s summary of the chunk from that block's input activations. */
  Object summarizeFrom(int layer, float[] input, int[] tokens, long start);

  /** Block {@code layer}'s output from its input activations and its context across chunks. */
  float[] forward(int layer, float[] input, int[] tokens, long start, Object context);

  /**
   * The chunk's outputs and pooled sum from the last block's output: the final normed output,
   * pooled; the outputs kept are {@code chosen} (a chosen block's output) when not null.
   */
  ChunkOutputs finish(float[] last, float[] chosen, int[] tokens, boolean keepOutputs);
}
