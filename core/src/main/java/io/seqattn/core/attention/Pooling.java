package io.seqattn.core.attention;

import io.seqattn.core.model.Model;

/**
 * The pooled embedding of a sequence: the mean over its positions of the heads' outputs
 * concatenated, times the model's {@code wo} when it has one.
 */
public final class Pooling {
  private Pooling() {}

  /** The embedding, or null for a sequence without tokens. */
  public static float[] embedding(Model model, PooledSum pooled) {
    double[] mean = pooled.mean();
    if (mean == null) {
      return null;
    }
    int inner = mean.length;
    if (inner != model.config().innerDim()) {
      throw new IllegalArgumentException("pooled width " + inner + " does not match the model's "
          + model.config().innerDim());
    }
    float[] out = new float[model.embeddingDim()];
    if (!model.hasOutputProjection()) {
      for (int i = 0; i < inner; i++) {
        out[i] = (float) mean[i];
      }
      return out;
    }
    float[] wo = model.wo();
    int dOut = out.length;
    for (int j = 0; j < dOut; j++) {
      double acc = 0;
      for (int i = 0; i < inner; i++) {
        acc += mean[i] * wo[i * dOut + j];
      }
      out[j] = (float) acc;
    }
    return out;
  }
}
