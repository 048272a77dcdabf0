package io.seqattn.core.network;

import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.mixer.LayerMixer;
import io.seqattn.core.model.TokenizerSpec;
import java.io.Serializable;

/**
 * A model as the engine runs it over chunks, one layer at a time: layer ℓ's mixer summarizes
 * every chunk (which needs the contexts of layers 0 … ℓ − 1, so earlier layers can be evaluated on
 * the chunk), the summaries are combined across chunks as {@link #mixer}(ℓ) says, and once every
 * layer has its contexts, each chunk is read out. A one-layer model is the case L = 1
 * ({@link OneLayerNetwork}); deep stacks are {@code io.seqattn.core.stack.StackNetwork}. A
 * serializable value (broadcast by Spark); its arithmetic is the {@link NetworkKernel} it builds in
 * a task.
 */
public interface Network extends Serializable {

  /** The model's fingerprint, stored with every state so states of different models never mix. */
  String fingerprint();

  /** The tokenizer that reads the model's inputs. */
  TokenizerSpec tokenizer();

  /** The number of layers L ≥ 1. */
  int depth();

  /** Layer ℓ's mixer, as the engine must combine its summaries across chunks. */
  LayerMixer<?> mixer(int layer);

  /** A value identifying this network's kernels (equal for equal networks), for per-thread caches. */
  Object kernelKey();

  /** The kernel for one task thread. */
  NetworkKernel newKernel();

  /** Width of each position's output (a row of outputs/). */
  int outputWidth();

  /** Width of the pooled embedding. */
  int embeddingDim();

  /** The pooled embedding from the merged sum of a sequence's outputs, or null without tokens. */
  float[] embedding(PooledSum pooled);

  /** The model's config as canonical JSON, for run.json. */
  String configJson();

  /** {@code causal} when every layer is causal (so sequences can be continued), else {@code global}. */
  String mode();

  /** The kind of attention for run.json: the mixers' ({@code linear}, {@code softmax}). */
  String attention();

  /**
   * Whether its kernels are {@link LayeredKernel}s, which run one block at a time on a chunk's
   * stored activations, so an engine may keep them between layer passes.
   */
  default boolean runsBlockByBlock() {
    return false;
  }

  /**
   * How many rows of block {@code layer}'s input before a chunk that block reads beside the
   * chunk's own (its {@link Halo}): 0 for a mixer whose reach across chunks is its summaries
   * alone. A network with any such layer runs block by block ({@link #runsBlockByBlock}).
   */
  default int haloRows(int layer) {
    return 0;
  }

  /** Whether some layer reads a {@link Halo}. */
  default boolean readsHalos() {
    for (int l = 0; l < depth(); l++) {
      if (haloRows(l) > 0) {
        return true;
      }
    }
    return false;
  }

  /** The block (1-based) whose output its outputs hold, or 0 for the final output. */
  default int outputBlock() {
    return 0;
  }
}
