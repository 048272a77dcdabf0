package io.seqattn.core.stack;

import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.mixer.LayerMixer;
import io.seqattn.core.mixer.linear.CausalLinearAttention;
import io.seqattn.core.mixer.linear.GlobalLinearAttention;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.network.Network;
import io.seqattn.core.network.NetworkKernel;
import java.util.List;

/**
 * A deep model (format 2) as the engine runs it: layer ℓ's linear-attention mixer combines its
 * {@code Summary}s across chunks as a global layer (one ordered reduction) or a causal one (an
 * ordered exclusive scan); gated summaries carry their decay per head or per key dimension. The
 * outputs are the final normed hidden states, or block {@code outputLayer}'s output.
 *
 * @param outputLayer 1 … L for that block's output in outputs/, 0 for the final normed output
 */
public record StackNetwork(StackModel model, int outputLayer) implements Network {
  /** Block size of causal layers: short enough that the gates' factors within it stay well inside float range. */
  public static final int CAUSAL_BLOCK_SIZE = 32;

  public StackNetwork {
    if (outputLayer < 0 || outputLayer > model.config().depth()) {
      throw new IllegalArgumentException("--output-layer must be in 1.." + model.config().depth() + ", got "
          + outputLayer);
    }
  }

  /** The final normed output in outputs/. */
  public StackNetwork(StackModel model) {
    this(model, 0);
  }

  @Override
  public String fingerprint() {
    return model.fingerprint();
  }

  @Override
  public TokenizerSpec tokenizer() {
    return model.config().tokenizer();
  }

  @Override
  public int depth() {
    return model.config().depth();
  }

  @Override
  public LayerMixer<?> mixer(int layer) {
    return model.config().layers().get(layer).mixer().causal() ? new CausalLinearAttention()
        : new GlobalLinearAttention();
  }

  @Override
  public Object kernelKey() {
    return List.of(model.fingerprint(), outputLayer);
  }

  @Override
  public NetworkKernel newKernel() {
    return new StackKernel(model, outputLayer);
  }

  @Override
  public boolean runsBlockByBlock() {
    return true;
  }

  @Override
  public int haloRows(int layer) {
    return model.config().layers().get(layer).mixer().haloRows();
  }

  @Override
  public int outputBlock() {
    return outputLayer;
  }

  @Override
  public int outputWidth() {
    return model.config().dModel();
  }

  @Override
  public int embeddingDim() {
    return model.config().embeddingDim();
  }

  /**
   * The mean of the final hidden states over present positions, or their softmax pool by the
   * learned queries, times {@code head.wo} when the model has it.
   */
  @Override
  public float[] embedding(PooledSum pooled) {
    if (pooled.count() == 0) {
      return null;
    }
    double[] pooledRows = model.config().poolsByAttention() ? attentionPool(pooled) : pooled.mean();
    int d = model.config().pooledWidth();
    int dOut = model.config().dOut();
    float[] out = new float[model.config().embeddingDim()];
    if (dOut == 0) {
      for (int i = 0; i < d; i++) {
        out[i] = (float) pooledRows[i];
      }
      return out;
    }
    float[] wo = model.tensor("head.wo");
    for (int j = 0; j < dOut; j++) {
      double acc = 0;
      for (int i = 0; i < d; i++) {
        acc += pooledRows[i] * wo[i * dOut + j];
      }
      out[j] = (float) acc;
    }
    return out;
  }

  private static double[] attentionPool(PooledSum pooled) {
    if (pooled.attention() == null) {
      throw new IllegalArgumentException("the model pools by attention, but the chunks' outputs carry no softmax pool");
    }
    return pooled.attention().result();
  }

  @Override
  public String configJson() {
    return StackConfigJson.toJson(model.config());
  }

  @Override
  public String mode() {
    return model.config().causal() ? "causal" : "global";
  }

  @Override
  public String attention() {
    return "linear";
  }
}
