package io.seqattn.job.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;

/** One input file of a run (a local or shared-mount path) and its format. */
public record InputFile(String path, InputFormat format) implements Serializable {

  /**
   * Opens the file, decompressing when its name ends in .gz (damaged gzip data becomes an
   * {@link InputException} naming the file and line, see {@link GzipStream}).
   */
  public InputStream open() throws IOException {
    InputStream raw = Files.newInputStream(Path.of(path));
    try {
      return new BufferedInputStream(path.endsWith(".gz") ? new GzipStream(raw, path) : raw, 1 << 16);
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /** The file name without directories, used as the id of a text document. */
  public String fileName() {
    return Path.of(path).getFileName().toString();
  }
}
