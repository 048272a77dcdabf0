package io.seqattn.core.stack;

import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelFormatException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deep model as a directory: {@code config.json} ({@link StackConfigJson}) and one NumPy file per
 * tensor, named {@code NAME.npy} (docs/model-format-2.md), float32 or float64. Loading checks every
 * tensor's presence, shape and values, refuses files the config does not call for, and names the
 * file at fault.
 */
public final class StackDirectory {
  private StackDirectory() {}

  public static StackModel load(Path dir) throws IOException {
    StackConfig config = StackConfigJson.read(dir.resolve(ModelConfig.FILE_NAME));
    Map<String, int[]> shapes = config.tensorShapes();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, "*.npy")) {
      for (Path f : files) {
        String name = f.getFileName().toString().replaceFirst("\\.npy$", "");
        if (!shapes.containsKey(name)) {
          throw new ModelFormatException(f + ": not a tensor of this model (remove it, or fix "
              + ModelConfig.FILE_NAME + ")");
        }
      }
    }
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      Path file = dir.resolve(e.getKey() + ".npy");
      if (!Files.exists(file)) {
        throw new ModelFormatException(file + ": missing (" + ModelConfig.FILE_NAME + " calls for tensor '"
            + e.getKey() + "' " + Arrays.toString(e.getValue()) + ")");
      }
      NpyArray arr;
      try {
        arr = Npy.read(file);
      } catch (IllegalArgumentException ex) {
        throw new ModelFormatException(ex.getMessage(), ex);
      }
      if (!Arrays.equals(arr.shape(), e.getValue())) {
        throw new ModelFormatException(file + ": shape " + Arrays.toString(arr.shape()) + " does not match "
            + Arrays.toString(e.getValue()) + " required by " + ModelConfig.FILE_NAME);
      }
      tensors.put(e.getKey(), floats(arr));
    }
    try {
      return new StackModel(config, tensors);
    } catch (IllegalArgumentException ex) {
      throw new ModelFormatException(dir + ": " + ex.getMessage(), ex);
    }
  }

  /** Writes a model as a directory (created if needed); its tensor files are replaced. */
  public static void save(StackModel model, Path dir) throws IOException {
    Files.createDirectories(dir);
    try (DirectoryStream<Path> old = Files.newDirectoryStream(dir, "*.npy")) {
      for (Path f : old) {
        Files.delete(f);
      }
    }
    StackConfigJson.write(model.config(), dir.resolve(ModelConfig.FILE_NAME));
    Map<String, int[]> shapes = model.config().tensorShapes();
    for (Map.Entry<String, float[]> e : model.tensors().entrySet()) {
      Npy.write(dir.resolve(e.getKey() + ".npy"), NpyArray.ofFloats(e.getValue(), shapes.get(e.getKey())));
    }
  }

  private static float[] floats(NpyArray arr) {
    if (!arr.isDouble()) {
      return arr.floats();
    }
    double[] d = arr.doubles();
    float[] f = new float[d.length];
    for (int i = 0; i < d.length; i++) {
      f[i] = (float) d[i];
    }
    return f;
  }
}
