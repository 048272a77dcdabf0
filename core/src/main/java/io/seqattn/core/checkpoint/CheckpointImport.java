package io.seqattn.core.checkpoint;

import io.seqattn.core.safetensors.SafetensorsFile;
import io.seqattn.core.safetensors.SafetensorsTensor;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackModel;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A format-2 model from a safetensors checkpoint, a config and a layout. The checkpoint must fit
 * exactly: every tensor the config calls for found under the layout's name with the shape it
 * implies, and every checkpoint tensor used (or one the layout expects to skip). All of that is
 * checked, and every mismatch listed, before any value is read; then the values are converted to
 * float32 and [in, out] and checked once more as a model (finite weights).
 */
public final class CheckpointImport {
  /** Mismatches of each kind (missing, misshapen, unused) listed in one message; the rest are counted. */
  private static final int LISTED = 6;

  private CheckpointImport() {}

  /**
   * The imported model and the checkpoint tensors skipped as the layout allows.
   *
   * @param skipped checkpoint tensors with no place in format 2 (e.g. an LM head), in checkpoint order
   */
  public record Imported(StackModel model, List<String> skipped) {}

  /** @throws CheckpointException naming the file and every tensor that does not fit */
  public static Imported read(SafetensorsFile checkpoint, StackConfig config, CheckpointLayout layout)
      throws IOException {
    Map<String, SafetensorsTensor> present = checkpoint.tensors();
    Map<String, TensorSource> sources;
    try {
      sources = layout.sources(config, present.keySet());
    } catch (CheckpointException e) {
      throw new CheckpointException(checkpoint.path() + ": " + e.getMessage(), e);
    }
    Map<String, int[]> shapes = config.tensorShapes();
    List<String> missing = new ArrayList<>();
    List<String> misshapen = new ArrayList<>();
    List<String> unused = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (Map.Entry<String, TensorSource> e : sources.entrySet()) {
      TensorSource source = e.getValue();
      int[] shape = shapes.get(e.getKey());
      int[] wanted = source.checkpointShape(shape);
      SafetensorsTensor t = present.get(source.name());
      used.add(source.name());
      if (t == null) {
        missing.add("tensor '" + e.getKey() + "' " + Arrays.toString(shape) + " is missing: no '" + source.name()
            + "' in the checkpoint");
      } else if (!Arrays.equals(t.shape(), wanted)) {
        misshapen.add("'" + source.name() + "' has shape " + Arrays.toString(t.shape()) + ", but tensor '"
            + e.getKey() + "' " + Arrays.toString(shape) + " needs " + Arrays.toString(wanted)
            + (source.transposed() ? " (stored [out, in])" : ""));
      }
    }
    List<String> skipped = new ArrayList<>();
    for (SafetensorsTensor t : present.values()) {
      if (used.contains(t.name())) {
        continue;
      }
      if (layout.ignorable(t.name())) {
        skipped.add(t.name());
      } else {
        unused.add("'" + t.name() + "' " + Arrays.toString(t.shape()) + " is not used by this config");
      }
    }
    List<String> problems = new ArrayList<>();
    summarize(missing, problems);
    summarize(misshapen, problems);
    summarize(unused, problems);
    if (!problems.isEmpty()) {
      throw new CheckpointException(checkpoint.path() + ": does not fit the config: " + String.join("; ", problems)
          + " (check --config and --layout)");
    }
    Map<String, float[]> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, TensorSource> e : sources.entrySet()) {
      TensorSource source = e.getValue();
      tensors.put(e.getKey(), source.toFormat2(checkpoint.floats(source.name()), shapes.get(e.getKey())));
    }
    try {
      return new Imported(new StackModel(config, tensors), List.copyOf(skipped));
    } catch (IllegalArgumentException e) {
      throw new CheckpointException(checkpoint.path() + ": " + e.getMessage(), e);
    }
  }

  /** The first {@link #LISTED} of one kind of mismatch, and how many more there are. */
  private static void summarize(List<String> kind, List<String> into) {
    into.addAll(kind.subList(0, Math.min(LISTED, kind.size())));
    if (kind.size() > LISTED) {
      into.add("and " + (kind.size() - LISTED) + " more like it");
    }
  }
}
