package io.seqattn.core.model;

import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * A model as a directory: {@code config.json} ({@link ModelConfigJson}) plus NumPy files —
 * {@value #EMBEDDING} [vocab, d_model]; {@value #WQ}, {@value #WK}, {@value #WV} [d_model,
 * heads·d_head]; optional {@value #WO} [heads·d_head, d_out]; for random-feature maps
 * {@value #OMEGA} [heads, rows, d_head] — little-endian float32 or float64, C order, so PyTorch and
 * NumPy users can export their own. Loading checks everything and names the file at fault.
 */
public final class ModelDirectory {
  public static final String EMBEDDING = "embedding.npy";
  public static final String WQ = "wq.npy";
  public static final String WK = "wk.npy";
  public static final String WV = "wv.npy";
  public static final String WO = "wo.npy";
  public static final String OMEGA = "omega.npy";

  private ModelDirectory() {}

  /** Loads and validates a model directory; every problem is a {@link ModelFormatException} naming the file. */
  public static Model load(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new ModelFormatException(dir + ": model directory does not exist");
    }
    ModelConfig config = ModelConfigJson.read(dir.resolve(ModelConfig.FILE_NAME));
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
      int rows = config.featureMap().omegaRows(config.features());
      NpyArray arr = readNpy(omegaFile);
      if (!Arrays.equals(arr.shape(), new int[] {config.heads(), rows, config.dHead()})) {
        throw new ModelFormatException(omegaFile + ": shape " + Arrays.toString(arr.shape()) + " does not match [heads="
            + config.heads() + ", rows=" + rows + ", d_head=" + config.dHead() + "] required by "
            + ModelConfig.FILE_NAME + " (" + config.featureMap() + " with features=" + config.features() + ")");
      }
      omega = toFloats(arr, omegaFile);
    } else if (Files.exists(omegaFile)) {
      throw new ModelFormatException(omegaFile + ": present, but feature map " + config.featureMap()
          + " uses no random features (remove the file or fix " + ModelConfig.FILE_NAME + ")");
    }
    return new Model(config, embedding, wq, wk, wv, wo, dOut, omega);
  }

  /** Writes a model as a directory (created if needed); existing model files are replaced. */
  public static void save(Model model, Path dir) throws IOException {
    ModelConfig config = model.config();
    Files.createDirectories(dir);
    ModelConfigJson.write(config, dir.resolve(ModelConfig.FILE_NAME));
    int d = config.dModel();
    int inner = config.innerDim();
    Npy.write(dir.resolve(EMBEDDING), NpyArray.ofFloats(model.embedding(), config.tokenizer().vocabularySize(), d));
    Npy.write(dir.resolve(WQ), NpyArray.ofFloats(model.wq(), d, inner));
    Npy.write(dir.resolve(WK), NpyArray.ofFloats(model.wk(), d, inner));
    Npy.write(dir.resolve(WV), NpyArray.ofFloats(model.wv(), d, inner));
    Files.deleteIfExists(dir.resolve(WO));
    if (model.hasOutputProjection()) {
      Npy.write(dir.resolve(WO), NpyArray.ofFloats(model.wo(), inner, model.dOut()));
    }
    Files.deleteIfExists(dir.resolve(OMEGA));
    if (model.omega() != null) {
      Npy.write(dir.resolve(OMEGA), NpyArray.ofFloats(model.omega(), config.heads(),
          config.featureMap().omegaRows(config.features()), config.dHead()));
    }
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
}
