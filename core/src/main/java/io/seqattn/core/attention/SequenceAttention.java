package io.seqattn.core.attention;

import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.mixer.TokenMixer;
import io.seqattn.core.mixer.softmax.ExactSoftmax;
import io.seqattn.core.model.Model;
import java.util.Arrays;

/**
 * Every output of one whole sequence in memory, by the same chunked computation the Spark job does
 * for the mixer — each chunk summarized, the summaries combined across chunks as the mixer says,
 * every chunk read out against what it was given, pooled sums merged in chunk order — so outputs
 * and embeddings are bitwise the job's at the same chunk size. For sequences that fit in one JVM:
 * the approximation study, and library callers that hold a document rather than a DataFrame.
 *
 * @param <S> the mixer's summary type
 */
public final class SequenceAttention<S> {
  private final Model model;
  private final TokenMixer<S> mixer;
  private final MixerKernel<S> kernel;
  private final int chunkSize;

  /** With a kernel the caller already has (a Spark task's cached one); it must be the model's and the mixer's. */
  public SequenceAttention(Model model, TokenMixer<S> mixer, MixerKernel<S> kernel, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.model = model;
    this.mixer = mixer;
    this.kernel = kernel;
    this.chunkSize = chunkSize;
  }

  /** The model's own linear attention (global, or causal for causal models). */
  public static SequenceAttention<Summary> linear(Model model, int chunkSize) {
    return of(model, Mixers.linear(model.config()), chunkSize);
  }

  /** Exact softmax attention over the model's projections (causal for a causal model). */
  public static SequenceAttention<?> softmax(Model model, int chunkSize) {
    return of(model, ExactSoftmax.of(model.config()), chunkSize);
  }

  /** A mixer with a fresh kernel. */
  public static <S> SequenceAttention<S> of(Model model, TokenMixer<S> mixer, int chunkSize) {
    return new SequenceAttention<>(model, mixer, mixer.newKernel(model), chunkSize);
  }

  /** The outputs, row-major [tokens, heads·d_head], the first token at position 0. */
  public float[] outputs(int[] tokens) {
    float[] out = new float[tokens.length * model.config().innerDim()];
    attend(tokens, out);
    return out;
  }

  /**
   * The pooled embedding of a whole sequence — the mean of its outputs over present positions,
   * times {@code wo} when the model has it — or null for a sequence without tokens.
   */
  public float[] embedding(int[] tokens) {
    PooledSum pooled = attend(tokens, null);
    return pooled == null ? null : Pooling.embedding(model, pooled);
  }

  /** Both passes over the chunks, as the mixer combines them; the outputs go to {@code out} unless null. */
  private PooledSum attend(int[] tokens, float[] out) {
    return switch (mixer.crossChunk()) {
      case REDUCTION -> againstTotal(tokens, out);
      case ORDERED_SCAN -> againstPrefixes(tokens, out);
    };
  }

  /** Every chunk against the merge of all summaries of the sequence. */
  private PooledSum againstTotal(int[] tokens, float[] out) {
    S total = null;
    for (int from = 0; from < tokens.length; from += chunkSize) {
      total = mixer.semigroup().mergeNullable(total, kernel.summarize(chunk(tokens, from), from));
    }
    PooledSum pooled = null;
    for (int from = 0; from < tokens.length; from += chunkSize) {
      pooled = PooledSum.MERGE.mergeNullable(pooled, read(tokens, from, total, out));
    }
    return pooled;
  }

  /** Every chunk against the merge of the summaries before it. */
  private PooledSum againstPrefixes(int[] tokens, float[] out) {
    S prefix = null;
    PooledSum pooled = null;
    for (int from = 0; from < tokens.length; from += chunkSize) {
      pooled = PooledSum.MERGE.mergeNullable(pooled, read(tokens, from, prefix, out));
      prefix = mixer.semigroup().mergeNullable(prefix, kernel.summarize(chunk(tokens, from), from));
    }
    return pooled;
  }

  /** Pass 2 of the chunk starting at {@code from}: its outputs into {@code out} (unless null), its pooled sum. */
  private PooledSum read(int[] tokens, int from, S context, float[] out) {
    ChunkOutputs o = kernel.attend(chunk(tokens, from), from, context, out != null);
    if (out != null) {
      System.arraycopy(o.outputs(), 0, out, from * model.config().innerDim(), o.outputs().length);
    }
    return o.pooled();
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
