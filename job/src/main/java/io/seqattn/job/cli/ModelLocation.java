package io.seqattn.job.cli;

import io.seqattn.job.input.Storage;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A model directory named on the command line: a local path as it is, or a directory on a Hadoop
 * file system ({@code hdfs://…/models/dna}) copied once to a local temporary directory, which is
 * removed when the JVM exits. Models are small (weights of megabytes) and are read on the driver
 * only, so a copy costs nothing next to a run and keeps {@code core}'s model loading free of Hadoop.
 */
final class ModelLocation {
  private ModelLocation() {}

  /** The local directory holding the model named {@code dir}. */
  static Path local(String dir) throws IOException {
    if (Storage.isLocal(dir)) {
      return Path.of(dir);
    }
    Path copy = Files.createTempDirectory("seqattn-model-");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteRecursively(copy)));
    try {
      Storage.copyDirectoryToLocal(dir, copy);
    } catch (FileNotFoundException e) {
      throw new SeqAttn.UserException(dir + ": model directory does not exist");
    }
    return copy;
  }

  private static void deleteRecursively(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException | UncheckedIOException e) {
      // at exit: a temporary directory left behind is all that can go wrong
    }
  }
}
