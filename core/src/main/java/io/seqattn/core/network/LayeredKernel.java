package io.seqattn.core.network;

import io.seqattn.core.attention.ChunkOutputs;

/**
 * A {@link NetworkKernel} that also runs one block at a time on a chunk's stored activations, so an
 * engine can keep each layer's input between its passes instead of recomputing it from the tokens
 * through every earlier layer (L(L+1)/2 block evaluations for L layers). Activations travel
 * between Spark tasks as plain bytes — row-major [n, d] float32 in native (little-endian) order,
 * never ND4J arrays: a byte[] is serialized by one bulk copy, a byte[] value by value (20× slower
 * for a 32 MB chunk under Java serialization). Running
 * the blocks here one by one computes exactly what {@link #summarize} and {@link #attend} compute
 * in one task, bit for bit.
 */
public interface LayeredKernel extends NetworkKernel {

  /** Block 0's input: the chunk's tokens embedded (with positions), [n, d] row-major. */
  byte[] embedded(int[] tokens, long start);

  /**
   * Layer {@code layer}'s summary of the chunk from that block's input activations and the
   * {@link Halo} of that input before the chunk ({@link Halo#NONE} when the layer reads none,
   * {@link Network#haloRows} rows otherwise, fewer only at a sequence's start).
   */
  Object summarizeFrom(int layer, byte[] input, int[] tokens, long start, Halo halo);

  /** Block {@code layer}'s output from its input activations, its context across chunks and its halo. */
  byte[] forward(int layer, byte[] input, int[] tokens, long start, Object context, Halo halo);

  /**
   * The chunk's outputs and pooled sum from the last block's output: the final normed output,
   * pooled; the outputs kept are {@code chosen} (a chosen block's output) when not null.
   */
  ChunkOutputs finish(byte[] last, byte[] chosen, int[] tokens, boolean keepOutputs);
}
