package io.seqattn.job.input;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;

/**
 * Random-access reads of a file's <em>uncompressed</em> bytes: a plain file directly, a BGZF file
 * through its block index. The coordinates are those of the .fai index, so an index-split read
 * does the same thing over either.
 */
public interface ByteSource extends Closeable {

  /**
   * Reads bytes starting at uncompressed {@code position} into {@code dst}, as
   * {@link FileChannel#read(ByteBuffer, long)} does.
   *
   * @return the number of bytes read, or -1 at the end of the data
   */
  int read(ByteBuffer dst, long position) throws IOException;

  /** The number of uncompressed bytes. */
  long size() throws IOException;

  /**
   * Opens {@code file} (a local path or a Hadoop file system URI, {@link Storage}): through its
   * .gzi block index when it is BGZF-compressed, else as plain bytes.
   */
  static ByteSource open(Path file) throws IOException {
    return open(file.toString());
  }

  /** {@link #open(Path)} of a file on any storage. */
  static ByteSource open(String file) throws IOException {
    if (Bgzf.isBgzf(file)) {
      return new Bgzf.Reader(file, Bgzf.BlockIndex.of(file));
    }
    return Storage.openRandom(file);
  }
}
