package io.seqattn.core.network;

import io.seqattn.core.attention.ChunkOutputs;
import java.util.List;

/**
 * A {@link Network} on ND4J for one task thread: pass 1 of any layer and the final pass over one
 * chunk of tokens, the first at global position {@code start}. {@code contexts} holds what each
 * earlier layer's mixer gave this chunk across chunks (its element ℓ is layer ℓ's context, null
 * for a sequence's first chunk under an ordered scan). Not thread-safe.
 */
public interface NetworkKernel {

  /** Layer {@code layer}'s summary of the chunk, given the contexts of layers 0 … layer − 1. */
  Object summarize(int layer, int[] tokens, long start, List<Object> contexts);

  /** The chunk's outputs and their pooled sum, given the contexts of every layer. */
  ChunkOutputs attend(int[] tokens, long start, List<Object> contexts, boolean keepOutputs);
}
