package io.seqattn.core.model;

import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import java.io.IOException;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.SplittableRandom;

/**
 * A linear-attention model: its {@link ModelConfig} and float32 weights, row-major. The model is a
 * directory of {@code config.json} plus NumPy files — {@code embedding.npy} [vocab, d_model];
 * {@code wq.npy}, {@code wk.npy}, {@code wv.npy} [d_model, heads·d_head]; optional {@code wo.npy}
 * [heads·d_head, d_out] — so PyTorch and NumPy users can export their own. Only primitive arrays
 * are held, so a Model can be broadcast by Spark; ND4J arrays are built from it inside tasks.
 */
public final class Model implements Serializable {

  public static final String EMBEDDING = "embedding.npy";
  public static final String WQ = "wq.npy";
  public static final String WK = "wk.npy";
  public static final String WV = "wv.npy";
  public static final String WO = "wo.npy";

  private final ModelConfig config;
  private final float[] embedding;
  private final float[] wq;
  private final float[] wk;
  private final float[] wv;
  private final float[] wo;
  private final int dOut;
  private final String fingerprint;

  /**
   * @param wo the output projection, or null for none (then {@code dOut} must be 0)
   */
  public Model(ModelConfig config, float[] embedding, float[] wq, float[] wk, float[] wv, float[] wo, int dOut) {
    this.config = config;
    int vocab = config.tokenizer().vocabularySize();
    int d = config.dModel();
    int inner = config.innerDim();
    requireLength(EMBEDDING, embedding, (long) vocab * d, vocab, d);
    requireLength(WQ, wq, (long) d * inner, d, inner);
    requireLength(WK, wk, (long) d * inner, d, inner);
    requireLength(WV, wv, (long) d * inner, d, inner);
    if (wo == null) {
      if (dOut != 0) {
        throw new IllegalArgumentException("dOut must be 0 without wo");
      }
    } else {
      if (dOut < 1) {
        throw new IllegalArgumentException("wo needs dOut >= 1");
      }
      requireLength(WO, wo, (long) inner * dOut, inner, dOut);
    }
    this.embedding = embedding;
    this.wq = wq;
    this.wk = wk;
    this.wv = wv;
    this.wo = wo;
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

  /** Loads and validates a model directory; every problem names the file at fault. */
  public static Model load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir + ": model directory does not exist");
    }
    ModelConfig config = ModelConfig.read(dir.resolve(ModelConfig.FILE_NAME));
    int vocab = config.tokenizer().vocabularySize();
    int d = config.dModel();
    int inner = config.innerDim();
    float[] embedding = readMatrix(dir.resolve(EMBEDDING), vocab, d, "[vocab=" + vocab + ", d_model=" + d + "]");
    String projShape = "[d_model=" + d + ", heads*d_head=" + inner + "]";
    float[] wq = readMatrix(dir.resolve(WQ), d, inner, projShape);
    float[] wk = readMatrix(dir.resolve(WK), d, inner, projShape);
    float[] wv = readMatrix(dir.resolve(WV), d, inner, projShape);
    Path woFile = dir.resolve(WO);
    float[] wo = null;
    int dOut = 0;
    if (Files.exists(woFile)) {
      NpyArray arr = readNpy(woFile);
      int[] shape = arr.shape();
      if (shape.length != 2 || shape[0] != inner || shape[1] < 1) {
        throw new ModelFormatException(woFile + ": shape " + Arrays.toString(shape)
            + " does not match [heads*d_head=" + inner + ", d_out]");
      }
      dOut = shape[1];
      wo = toFloats(arr, woFile);
    }
    return new Model(config, embedding, wq, wk, wv, wo, dOut);
  }

  /** Writes this model as a directory (created if needed); existing model files are replaced. */
  public void save(Path dir) throws IOException {
    Files.createDirectories(dir);
    config.write(dir.resolve(ModelConfig.FILE_NAME));
    int d = config.dModel();
    int inner = config.innerDim();
    Npy.write(dir.resolve(EMBEDDING), NpyArray.ofFloats(embedding, config.tokenizer().vocabularySize(), d));
    Npy.write(dir.resolve(WQ), NpyArray.ofFloats(wq, d, inner));
    Npy.write(dir.resolve(WK), NpyArray.ofFloats(wk, d, inner));
    Npy.write(dir.resolve(WV), NpyArray.ofFloats(wv, d, inner));
    Files.deleteIfExists(dir.resolve(WO));
    if (wo != null) {
      Npy.write(dir.resolve(WO), NpyArray.ofFloats(wo, inner, dOut));
    }
  }

  /**
   * A seeded random model: embeddings ~ N(0, 1), projections ~ N(0, 1/d_model) so q, k, v have
   * unit-scale entries, and {@code wo} ~ N(0, 1/(heads·d_head)) when {@code dOut > 0}. The same
   * seed gives the same weights on every machine.
   */
  public static Model random(ModelConfig config, int dOut, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    int d = config.dModel();
    int inner = config.innerDim();
    float[] embedding = gaussian(root.split(), (long) config.tokenizer().vocabularySize() * d, 1.0);
    double projScale = 1.0 / Math.sqrt(d);
    float[] wq = gaussian(root.split(), (long) d * inner, projScale);
    float[] wk = gaussian(root.split(), (long) d * inner, projScale);
    float[] wv = gaussian(root.split(), (long) d * inner, projScale);
    float[] wo = dOut > 0 ? gaussian(root.split(), (long) inner * dOut, 1.0 / Math.sqrt(inner)) : null;
    return new Model(config, embedding, wq, wk, wv, wo, dOut);
  }

  private static float[] gaussian(SplittableRandom random, long n, double scale) {
    float[] out = new float[Math.toIntExact(n)];
    for (int i = 0; i < out.length; i++) {
      // Box–Muller on SplittableRandom: reproducible across JVMs, unlike ThreadLocalRandom.
      double u1 = 1.0 - random.nextDouble();
      double u2 = random.nextDouble();
      out[i] = (float) (scale * Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2 * Math.PI * u2));
    }
    return out;
  }

  private static float[] readMatrix(Path file, int rows, int cols, String expected) throws IOException {
    NpyArray arr = readNpy(file);
    int[] shape = arr.shape();
    if (shape.length != 2 || shape[0] != rows || shape[1] != cols) {
      throw new ModelFormatException(file + ": shape " + Arrays.toString(shape) + " does not match " + expected
          + " required by " + ModelConfig.FILE_NAME);
    }
    return toFloats(arr, file);
  }

  private static NpyArray readNpy(Path file) throws IOException {
    if (!Files.exists(file)) {
      throw new ModelFormatException(file + ": missing (required by the model format)");
    }
    try {
      return Npy.read(file);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(e.getMessage(), e);
    }
  }

  private static float[] toFloats(NpyArray arr, Path file) {
    float[] values;
    if (arr.isDouble()) {
      double[] d = arr.doubles();
      values = new float[d.length];
      for (int i = 0; i < d.length; i++) {
        values[i] = (float) d[i];
      }
    } else {
      values = arr.floats();
    }
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        throw new ModelFormatException(file + ": element " + i + " is " + values[i] + " (weights must be finite)");
      }
    }
    return values;
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
      sha.update(config.toJson().getBytes(StandardCharsets.UTF_8));
      for (float[] w : new float[][] {embedding, wq, wk, wv, wo}) {
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
