package io.seqattn.core.model;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A linear-attention model: its {@link ModelConfig} and float32 weights, row-major —
 * {@code embedding} [vocab, d_model]; {@code wq}, {@code wk}, {@code wv} [d_model, heads·d_head];
 * optional {@code wo} [heads·d_head, d_out]; for random-feature maps {@code omega} [heads, rows,
 * d_head] (rows = m for favor+, m/2 for trig). ω is part of the model: drawn once, read by every
 * executor, never redrawn per task. Only primitive arrays are held, so a Model can be broadcast by
 * Spark; ND4J arrays are built from it inside tasks. Models come from a directory
 * ({@link ModelDirectory}) or are drawn ({@link ModelInitializer}).
 */
public final class Model implements Serializable {

  private final ModelConfig config;
  private final float[] embedding;
  private final float[] wq;
  private final float[] wk;
  private final float[] wv;
  private final float[] wo;
  private final float[] omega;
  private final int dOut;
  private final String fingerprint;

  /** A model whose feature map needs no ω. */
  public Model(ModelConfig config, float[] embedding, float[] wq, float[] wk, float[] wv, float[] wo, int dOut) {
    this(config, embedding, wq, wk, wv, wo, dOut, null);
  }

  /**
   * @param wo the output projection, or null for none (then {@code dOut} must be 0)
   * @param omega [heads, rows, d_head] for random-feature maps, null otherwise
   */
  public Model(ModelConfig config, float[] embedding, float[] wq, float[] wk, float[] wv, float[] wo, int dOut,
      float[] omega) {
    this.config = config;
    int vocab = config.tokenizer().vocabularySize();
    int d = config.dModel();
    int inner = config.innerDim();
    requireLength(ModelDirectory.EMBEDDING, embedding, (long) vocab * d, vocab, d);
    requireLength(ModelDirectory.WQ, wq, (long) d * inner, d, inner);
    requireLength(ModelDirectory.WK, wk, (long) d * inner, d, inner);
    requireLength(ModelDirectory.WV, wv, (long) d * inner, d, inner);
    if (wo == null) {
      if (dOut != 0) {
        throw new IllegalArgumentException("dOut must be 0 without wo");
      }
    } else {
      if (dOut < 1) {
        throw new IllegalArgumentException("wo needs dOut >= 1");
      }
      requireLength(ModelDirectory.WO, wo, (long) inner * dOut, inner, dOut);
    }
    this.embedding = embedding;
    this.wq = wq;
    this.wk = wk;
    this.wv = wv;
    if (config.featureMap().usesOmega()) {
      long rows = config.featureMap().omegaRows(config.features());
      requireLength(ModelDirectory.OMEGA, omega, config.heads() * rows * config.dHead(), config.heads() * (int) rows,
          config.dHead());
    } else if (omega != null) {
      throw new IllegalArgumentException("feature map " + config.featureMap() + " takes no omega");
    }
    this.wo = wo;
    this.omega = omega;
    this.dOut = dOut;
    this.fingerprint = computeFingerprint();
  }

  public ModelConfig config() {
    return config;
  }

  /** [vocab, d_model], row-major. Do not modify. */
  public float[] embedding() {
    return embedding;
  }

  /** [d_model, heads·d_head], row-major. Do not modify. */
  public float[] wq() {
    return wq;
  }

  public float[] wk() {
    return wk;
  }

  public float[] wv() {
    return wv;
  }

  /** [heads·d_head, d_out], row-major, or null when the model has no output projection. */
  public float[] wo() {
    return wo;
  }

  /** ω, [heads, rows, d_head] row-major, or null when the feature map needs none. Do not modify. */
  public float[] omega() {
    return omega;
  }

  /** Width of {@code wo}'s output, 0 without it. */
  public int dOut() {
    return dOut;
  }

  public boolean hasOutputProjection() {
    return wo != null;
  }

  /** Width of the pooled embedding: d_out with {@code wo}, heads·d_head without. */
  public int embeddingDim() {
    return wo != null ? dOut : config.innerDim();
  }

  /**
   * A short content hash (SHA-256 of the canonical config and every weight's shape and values,
   * first 16 hex digits). Stored with every state so summaries of different models never mix.
   */
  public String fingerprint() {
    return fingerprint;
  }

  private static void requireLength(String name, float[] values, long expected, int rows, int cols) {
    if (values == null || values.length != expected) {
      throw new IllegalArgumentException(name + " must have " + rows + "x" + cols + " values, got "
          + (values == null ? "none" : values.length));
    }
  }

  private String computeFingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(ModelConfigJson.toJson(config).getBytes(StandardCharsets.UTF_8));
      float[][] weights = omega == null ? new float[][] {embedding, wq, wk, wv, wo}
          : new float[][] {embedding, wq, wk, wv, wo, omega}; // models without ω keep their fingerprints
      for (float[] w : weights) {
        if (w == null) {
          sha.update((byte) 0);
          continue;
        }
        ByteBuffer buf = ByteBuffer.allocate(w.length * 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(w.length);
        for (float v : w) {
          buf.putFloat(v);
        }
        sha.update(buf.array());
      }
      sha.update(ByteBuffer.allocate(4).putInt(dOut).array());
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
