package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import java.util.Arrays;

/**
 * Every output of one whole sequence in memory, by the same chunked computation the Spark job does
 * (global: fold all chunk summaries, then read each chunk against the total; causal: each chunk
 * against the fold of the chunks before it) or by exact softmax. For sequences that fit in one JVM:
 * the approximation study, and library callers that hold a document rather than a DataFrame.
 */
public final class SequenceAttention {
  private final Model model;
  private final ChunkKernel kernel;
  private final int chunkSize;

  public SequenceAttention(Model model, int chunkSize) {
    this(model, new ChunkKernel(model), chunkSize);
  }

  /** With a kernel the caller already has (a Spark task's cached one); it must be the model's. */
  public SequenceAttention(Model model, ChunkKernel kernel, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.model = model;
    this.kernel = kernel;
    this.chunkSize = chunkSize;
  }

  /** Linear-attention outputs, row-major [tokens, heads·d_head], the first token at position 0. */
  public float[] linear(int[] tokens) {
    float[] out = new float[tokens.length * model.config().innerDim()];
    attend(tokens, out);
    return out;
  }

  /**
   * The pooled embedding of a whole sequence — the mean of its outputs over present positions,
   * times {@code wo} when the model has it — or null for a sequence without tokens. Chunk
   * summaries and pooled sums are merged left to right in chunk order, as the job merges them, so
   * it is bitwise the job's embedding at the same chunk size.
   */
  public float[] embedding(int[] tokens) {
    PooledSum pooled = attend(tokens, null);
    return pooled == null ? null : Pooling.embedding(model, pooled);
  }

  /** Both passes over the chunks; the outputs go to {@code out} when it is not null. */
  private PooledSum attend(int[] tokens, float[] out) {
    int inner = model.config().innerDim();
    boolean causal = model.config().causal();
    Summary total = null;
    if (!causal) {
      for (int from = 0; from < tokens.length; from += chunkSize) {
        Summary s = kernel.summarize(chunk(tokens, from), from);
        total = total == null ? s : Summary.MERGE.merge(total, s);
      }
    }
    Summary prefix = null;
    PooledSum pooled = null;
    for (int from = 0; from < tokens.length; from += chunkSize) {
      int[] c = chunk(tokens, from);
      ChunkOutputs o = causal
          ? kernel.attendCausal(c, from, prefix, out != null)
          : kernel.attend(c, from, total, out != null);
      if (out != null) {
        System.arraycopy(o.outputs(), 0, out, from * inner, o.outputs().length);
      }
      pooled = pooled == null ? o.pooled() : PooledSum.MERGE.merge(pooled, o.pooled());
      if (causal) {
        Summary s = kernel.summarize(c, from);
        prefix = prefix == null ? s : Summary.MERGE.merge(prefix, s);
      }
    }
    return pooled;
  }

  /** Exact softmax outputs (causal for a causal model), row-major [tokens, heads·d_head]. */
  public float[] softmax(int[] tokens) {
    int inner = model.config().innerDim();
    float[] out = new float[tokens.length * inner];
    for (int from = 0; from < tokens.length; from += chunkSize) {
      float[] o = kernel.attendSoftmax(chunk(tokens, from), from, tokens, 0, true).outputs();
      System.arraycopy(o, 0, out, from * inner, o.length);
    }
    return out;
  }

  /**
   * ‖approx − exact‖ / ‖exact‖ (Frobenius, in double) over the positions where both are defined
   * (absent positions are NaN in both).
   */
  public static double relativeError(float[] approx, float[] exact) {
    if (approx.length != exact.length) {
      throw new IllegalArgumentException("outputs of different sizes: " + approx.length + " and " + exact.length);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < exact.length; i++) {
      if (Float.isNaN(exact[i])) {
        continue;
      }
      double d = (double) approx[i] - exact[i];
      diff += d * d;
      norm += (double) exact[i] * exact[i];
    }
    return Math.sqrt(diff / norm);
  }

  private int[] chunk(int[] tokens, int from) {
    return Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunkSize));
  }
}
