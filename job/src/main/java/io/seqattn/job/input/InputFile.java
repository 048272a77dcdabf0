package io.seqattn.job.input;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.util.Arrays;

/** One input file of a run (a local path or a Hadoop file system URI, see {@link Storage}) and its format. */
public record InputFile(String path, InputFormat format) implements Serializable {

  /** The UTF-8 byte-order mark, which some editors write at the start of a text file. */
  private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

  /**
   * Opens the file, decompressing when its name ends in .gz (damaged gzip data becomes an
   * {@link InputException} naming the file and line, see {@link GzipStream}), and skips a UTF-8
   * byte-order mark at the very start, as Spark's JSON reader does: it is not part of the first
   * id or text, and it is on line 1, so line numbers are unchanged.
   */
  public InputStream open() throws IOException {
    InputStream raw = Storage.open(path);
    try {
      BufferedInputStream in = new BufferedInputStream(InputFormat.isCompressedName(path) ? new GzipStream(raw, path) : raw, 1 << 16);
      skipBom(in);
      return in;
    } catch (IOException | RuntimeException e) {
      raw.close();
      throw e;
    }
  }

  /**
   * Skips a byte-order mark at the current position of {@code in}.
   *
   * @return the number of bytes skipped: 3 or 0
   */
  static int skipBom(BufferedInputStream in) throws IOException {
    in.mark(BOM.length);
    if (Arrays.equals(in.readNBytes(BOM.length), BOM)) {
      return BOM.length;
    }
    in.reset();
    return 0;
  }

  /**
   * Whether this is a Parquet file, which Spark reads (as a table, in the plan) instead of a
   * {@link SequenceReader} over its bytes.
   */
  public boolean isParquet() {
    return path.toLowerCase(java.util.Locale.ROOT).endsWith(".parquet");
  }

  /** The file name without directories, used as the id of a text document. */
  public String fileName() {
    return Storage.fileName(path);
  }
}
