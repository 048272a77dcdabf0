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
 * [heads·d_head, d_out]; for random-feature maps {@code omega.npy} [heads, rows, d_head] (rows = m
 * for favor+, m/2 for trig) — so PyTorch and NumPy users can export their own. ω is part of the
 * model: drawn once, read by every executor, never redrawn per task. Only primitive arrays are
 * held, so a Model can be broadcast by Spark; ND4J arrays are built from it inside tasks.
 */
public final class Model implements Serializable {

  public static final String EMBEDDING = "embedding.npy";
  public static final String WQ = "wq.npy";
  public static final String WK = "wk.npy";
  public static final String WV = "wv.npy";
  public static final String WO = "wo.npy";
  public static final String OMEGA = "omega.npy";

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
    if (config.featureMap().usesOmega()) {
      long rows = config.featureMap().omegaRows(config.featureDim());
      requireLength(OMEGA, omega, config.heads() * rows * config.dHead(), config.heads() * (int) rows,
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
    float[] omega = null;
    Path omegaFile = dir.resolve(OMEGA);
    if (config.featureMap().usesOmega()) {
      if (!Files.exists(omegaFile)) {
        throw new ModelFormatException(omegaFile + ": missing (feature map " + config.featureMap()
            + " needs its random rows; init-model writes them)");
      }
      int rows = config.featureMap().omegaRows(config.featureDim());
      NpyArray arr = readNpy(omegaFile);
      if (!Arrays.equals(arr.shape(), new int[] {config.heads(), rows, config.dHead()})) {
        throw new ModelFormatException(omegaFile + ": shape " + Arrays.toString(arr.shape()) + " does not match [heads="
            + config.heads() + ", rows=" + rows + ", d_head=" + config.dHead() + "] required by "
            + ModelConfig.FILE_NAME + " (" + config.featureMap() + " with features=" + config.featureDim() + ")");
      }
      omega = toFloats(arr, omegaFile);
    } else if (Files.exists(omegaFile)) {
      throw new ModelFormatException(omegaFile + ": present, but feature map " + config.featureMap()
          + " uses no random features (remove the file or fix " + ModelConfig.FILE_NAME + ")");
    }
    return new Model(config, embedding, wq, wk, wv, wo, dOut, omega);
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
    Files.deleteIfExists(dir.resolve(OMEGA));
    if (omega != null) {
      Npy.write(dir.resolve(OMEGA), NpyArray.ofFloats(omega, config.heads(),
          config.featureMap().omegaRows(config.featureDim()), config.dHead()));
    }
  }

  /**
   * A seeded random model: embeddings ~ N(0, 1), projections ~ N(0, 1/d_model) so q, k, v have
   * unit-scale entries, {@code wo} ~ N(0, 1/(heads·d_head)) when {@code dOut > 0}, and for
   * random-feature maps ω drawn as {@link OrthogonalFeatures} per head. The same seed gives the same
   * weights on every machine.
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
    float[] omega = config.featureMap().usesOmega() ? drawOmega(config, root.split()) : null;
    return new Model(config, embedding, wq, wk, wv, wo, dOut, omega);
  }

  /** This model with another feature map, m and ω drawn from {@code omegaSeed} (the approximation study). */
  public Model withFeatureMap(FeatureMap map, int features, long omegaSeed) {
    ModelConfig other = config.withFeatureMap(map, features);
    float[] newOmega = map.usesOmega() ? drawOmega(other, new SplittableRandom(omegaSeed)) : null;
    return new Model(other, embedding, wq, wk, wv, wo, dOut, newOmega);
  }

  /**
   * This model with Wq and Wk multiplied by {@code factor}, so every softmax logit qᵀk/√d_head scales
   * by factor²: how the approximation study moves between small and large logits.
   */
  public Model withScaledQueriesAndKeys(float factor) {
    float[] scaledQ = wq.clone();
    float[] scaledK = wk.clone();
    for (int i = 0; i < scaledQ.length; i++) {
      scaledQ[i] *= factor;
      scaledK[i] *= factor;
    }
    return new Model(config, embedding, scaledQ, scaledK, wv, wo, dOut, omega);
  }

  /** The same weights under another config of the same shapes (e.g. as a global model). */
  public Model withConfig(ModelConfig other) {
    return new Model(other, embedding, wq, wk, wv, wo, dOut, omega);
  }

  private static float[] drawOmega(ModelConfig config, SplittableRandom random) {
    int rows = config.featureMap().omegaRows(config.featureDim());
    int d = config.dHead();
    float[] omega = new float[config.heads() * rows * d];
    for (int h = 0; h < config.heads(); h++) {
      System.arraycopy(OrthogonalFeatures.draw(rows, d, random.split()), 0, omega, h * rows * d, rows * d);
    }
    return omega;
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
