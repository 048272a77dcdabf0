package io.seqattn.core.loader;

import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.model.ConfigFile;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfigJson;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelFormatException;
import io.seqattn.core.network.Network;
import io.seqattn.core.network.OneLayerNetwork;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackNetwork;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A model directory of either format opened as the {@link Network} it runs: format 1 (one layer,
 * {@code docs/model-format.md}) with its linear-attention mixer, format 2 (deep stacks,
 * {@code docs/model-format-2.md}) as a {@link StackNetwork}. The {@code format} field of
 * {@code config.json} decides; any other value is refused with the formats this build reads.
 * It sits above both formats' packages so neither needs to know the other.
 */
public final class NetworkDirectory {
  private NetworkDirectory() {}

  /** The network in {@code dir}, with the final normed output of a deep model in outputs/. */
  public static Network load(Path dir) throws IOException {
    return load(dir, 0);
  }

  /**
   * The network in {@code dir}; a deep model writes block {@code outputLayer}'s output (1 … L), or
   * its final normed output for 0. A one-layer model takes only 0.
   */
  public static Network load(Path dir, int outputLayer) throws IOException {
    int format = ConfigFile.format(dir);
    if (format == ModelConfigJson.FORMAT_VERSION) {
      if (outputLayer != 0) {
        throw new IllegalArgumentException("--output-layer applies to deep (format 2) models; " + dir
            + " holds a one-layer model");
      }
      Model model = ModelDirectory.load(dir);
      return new OneLayerNetwork(model, Mixers.linear(model.config()));
    }
    if (format == StackConfigJson.FORMAT_VERSION) {
      return new StackNetwork(StackDirectory.load(dir), outputLayer);
    }
    throw new ModelFormatException(dir.resolve("config.json") + ": format " + format + " is not supported (this "
        + "seqattn reads formats " + ModelConfigJson.FORMAT_VERSION + " and " + StackConfigJson.FORMAT_VERSION + ")");
  }
}
