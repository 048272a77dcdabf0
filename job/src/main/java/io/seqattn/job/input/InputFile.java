package io.seqattn.job.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;

/** One input file of a run (a local or shared-mount path) and its format. */
public record InputFile(String path, InputFormat format) implements Serializable {

  /** Opens the file, decompressing when its name ends in .gz. */
  public InputStream open() throws IOException {
    InputStream raw = new BufferedInputStream(Files.newInputStream(Path.of(path)), 1 << 16);
    return path.endsWith(".gz") ? new BufferedInputStream(new GZIPInputStream(raw, 1 << 16), 1 << 16) : raw;
  }

  /** The file name without directories, used as the id of a text document. */
  public String fileName() {
    return Path.of(path).getFileName().toString();
  }
}
