package io.seqattn.job.cli;

import io.seqattn.core.checkpoint.CheckpointImport;
import io.seqattn.core.checkpoint.CheckpointLayouts;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.safetensors.SafetensorsFile;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code seqattn import}: a format-2 model directory from a safetensors checkpoint and the
 * config.json that describes its architecture (docs/import.md). The checkpoint is checked against
 * the config completely before anything is written; the model is then written into a staging
 * directory beside the output and renamed into place, so a failed import leaves no partial model.
 */
@Command(name = "import", mixinStandardHelpOptions = true,
    description = {"Writes a format-2 model directory (docs/model-format-2.md) from a safetensors checkpoint.",
        "Every tensor the config calls for must be in the checkpoint with the right shape, and every checkpoint "
            + "tensor must be used (docs/import.md)."})
final class ImportCommand implements Callable<Integer> {
  @Option(names = "--checkpoint", required = true, paramLabel = "FILE",
      description = "The .safetensors checkpoint (F32, F16, BF16 or F64 tensors).")
  Path checkpoint;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "A format-2 config.json describing the checkpoint's architecture.")
  Path config;

  @Option(names = {"--output", "--out"}, required = true, paramLabel = "DIR",
      description = "Model directory to write (--out is an alias).")
  Path out;

  @Option(names = "--layout", defaultValue = "reference",
      description = "reference: tensors under the format-2 names, [in, out]; fla: flash-linear-attention's GLA "
          + "names, nn.Linear [out, in] (default: ${DEFAULT-VALUE}).")
  CheckpointLayouts layout;

  @Option(names = "--overwrite", description = "Replace an existing model directory.")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    Path target = out.toAbsolutePath().normalize();
    refuseExisting(target);
    if (!Files.isRegularFile(checkpoint)) {
      throw new SeqAttn.UserException(checkpoint + ": no such file (--checkpoint names the .safetensors file)");
    }
    if (!Files.isRegularFile(config)) {
      throw new SeqAttn.UserException(config + ": no such file (--config names a format-2 config.json)");
    }
    StackConfig stack = StackConfigJson.read(config);
    CheckpointImport.Imported imported;
    try (SafetensorsFile file = SafetensorsFile.open(checkpoint)) {
      imported = CheckpointImport.read(file, stack, layout.layout());
    }
    for (String name : imported.skipped()) {
      System.err.printf("seqattn: note: %s: skipped '%s' (format 2 has no place for it)%n", checkpoint, name);
    }
    writeInPlace(imported, target);
    System.err.printf("seqattn: wrote model %s (%d layers, fingerprint %s) from %s (layout %s)%n", out,
        stack.depth(), imported.model().fingerprint(), checkpoint, layout);
    return 0;
  }

  /** An existing output is refused unless it is empty, or a model directory and --overwrite is given. */
  private void refuseExisting(Path target) throws IOException {
    if (!Files.exists(target) || InitModelCommand.isEmptyDirectory(target)) {
      return;
    }
    if (!overwrite) {
      throw new SeqAttn.UserException(out + ": already exists (pass --overwrite to replace the model)");
    }
    if (!Files.isRegularFile(target.resolve(ModelConfig.FILE_NAME))) {
      throw new SeqAttn.UserException(out + ": exists and is not a model directory (no " + ModelConfig.FILE_NAME
          + "), so --overwrite will not replace it (choose another --output)");
    }
  }

  /** Saves into a staging directory beside the target, then swaps it in; on failure the target is as it was. */
  private static void writeInPlace(CheckpointImport.Imported imported, Path target) throws IOException {
    Path parent = target.getParent();
    Files.createDirectories(parent);
    String name = target.getFileName().toString();
    Path staging = Files.createTempDirectory(parent, "." + name + ".import-");
    Path replaced = null;
    try {
      StackDirectory.save(imported.model(), staging);
      if (Files.exists(target)) {
        replaced = Files.createTempDirectory(parent, "." + name + ".replaced-");
        Files.delete(replaced);
        Files.move(target, replaced, StandardCopyOption.ATOMIC_MOVE);
      }
      try {
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        if (replaced != null) {
          Files.move(replaced, target, StandardCopyOption.ATOMIC_MOVE);
          replaced = null;
        }
        throw e;
      }
    } finally {
      deleteTree(staging);
      if (replaced != null) {
        deleteTree(replaced);
      }
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
