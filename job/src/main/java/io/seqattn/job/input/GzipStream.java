package io.seqattn.job.input;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The uncompressed bytes of a gzip file (RFC 1952), every member of a multi-member file in turn —
 * so BGZF too — with every way the data can be damaged reported as an {@link InputException}
 * {@code FILE:LINE: what is wrong: the file is truncated or corrupt (re-download or recompress it)},
 * LINE being the line of the uncompressed text the good data reached.
 *
 * <p>Why not {@link java.util.zip.GZIPInputStream}: it ends in a bare {@code EOFException} or
 * {@code ZipException} without the file, and it ends <em>quietly</em> when the bytes after a member
 * are not a complete gzip header, so a multi-member file cut inside a header reads as a shorter
 * file. Here the stream ends only after a whole member whose CRC32 and length match its trailer,
 * and bytes after a member must be a whole member too. A BGZF file (its first member carries the
 * {@code BC} extra field) must end with the empty end-of-file marker block, as htslib checks:
 * without it, a file cut exactly at a block boundary would also read as a shorter one.
 */
final class GzipStream extends InputStream {
  private static final int ID1 = 31;
  private static final int ID2 = 139;
  private static final int DEFLATE = 8;
  private static final int FHCRC = 2;
  private static final int FEXTRA = 4;
  private static final int FNAME = 8;
  private static final int FCOMMENT = 16;
  private static final int RESERVED = 0xe0;
  /** Size of the BGZF end-of-file marker block (SAM/BAM specification §4.1.2). */
  private static final int BGZF_EOF_SIZE = 28;

  private final InputStream in;
  private final String path;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private int lim;
  /** File offset of {@code buf[0]}. */
  private long bufStart;
  private final Inflater inflater = new Inflater(true);
  private final CRC32 crc = new CRC32();
  private long memberStart;
  private long memberBytes;
  private boolean memberBgzf;
  private final boolean fileBgzf;
  private long line = 1;
  private boolean done;
  /** The damage found, thrown again by every later read. */
  private InputException failure;

  /**
   * Reads the first member's header.
   *
   * @param raw the compressed bytes, from the start of the file
   * @param path the file as named in messages
   * @throws InputException when the file does not start with a gzip header
   */
  GzipStream(InputStream raw, String path) throws IOException {
    this.in = raw;
    this.path = path;
    int b1 = next();
    int b2 = next();
    if (b1 != ID1 || b2 != ID2) {
      throw new InputException(path + ": not a gzip file (it does not start with a gzip header; rename it without "
          + "'.gz' if it is not compressed)");
    }
    readHeaderAfterMagic();
    fileBgzf = memberBgzf;
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (failure != null) {
      throw failure;
    }
    if (len == 0) {
      return 0;
    }
    while (!done) {
      if (inflater.finished()) {
        endMember();
        continue;
      }
      if (inflater.needsInput()) { // true before a member's first inflate, and when the buffer is used up
        if (pos == lim && !fill()) {
          throw damaged("the gzip stream ends early");
        }
        inflater.setInput(buf, pos, lim - pos);
      }
      int n;
      try {
        n = inflater.inflate(b, off, len);
      } catch (DataFormatException e) {
        throw damaged("the gzip member at byte " + memberStart + " holds invalid compressed data (" + e.getMessage()
            + ")");
      }
      pos = lim - inflater.getRemaining();
      if (n > 0) {
        crc.update(b, off, n);
        memberBytes += n;
        for (int i = off; i < off + n; i++) {
          if (b[i] == '\n') {
            line++;
          }
        }
        return n;
      }
      if (inflater.needsDictionary()) {
        throw damaged("the gzip member at byte " + memberStart + " asks for a preset dictionary, which gzip never uses");
      }
    }
    return -1;
  }

  /** Checks the trailer of the member just inflated, then reads the next member's header, if any. */
  private void endMember() throws IOException {
    long storedCrc = u32();
    long storedSize = u32();
    if (storedCrc != crc.getValue()) {
      throw damaged("the gzip member at byte " + memberStart + " fails its CRC32 check");
    }
    if (storedSize != (memberBytes & 0xffffffffL)) {
      throw damaged("the gzip member at byte " + memberStart + " fails its length check");
    }
    boolean eofBlock = memberBgzf && memberBytes == 0 && offset() - memberStart == BGZF_EOF_SIZE;
    int b1 = next();
    if (b1 < 0) {
      if (fileBgzf && !eofBlock) {
        throw damaged("the BGZF end-of-file marker block is missing");
      }
      done = true;
      return;
    }
    long start = offset() - 1;
    int b2 = next();
    if (b1 != ID1 || (b2 >= 0 && b2 != ID2)) {
      throw damaged("the bytes after the gzip member ending at byte " + start + " are not another gzip member");
    }
    if (b2 < 0) {
      throw damaged("the gzip stream ends early");
    }
    memberStart = start;
    readHeaderAfterMagic();
    inflater.reset();
    crc.reset();
    memberBytes = 0;
  }

  /** The rest of a member header (RFC 1952 §2.3), noting whether it is a BGZF block. */
  private void readHeaderAfterMagic() throws IOException {
    int method = need();
    int flags = need();
    if (method != DEFLATE || (flags & RESERVED) != 0) {
      throw damaged("the gzip member at byte " + memberStart + " has an invalid header");
    }
    for (int i = 0; i < 6; i++) { // MTIME, XFL, OS
      need();
    }
    memberBgzf = false;
    if ((flags & FEXTRA) != 0) {
      int xlen = need() | need() << 8;
      int[] extra = new int[xlen];
      for (int i = 0; i < xlen; i++) {
        extra[i] = need();
      }
      for (int p = 0; p + 4 <= xlen; p += 4 + (extra[p + 2] | extra[p + 3] << 8)) {
        memberBgzf |= extra[p] == 'B' && extra[p + 1] == 'C' && (extra[p + 2] | extra[p + 3] << 8) == 2;
      }
    }
    if ((flags & FNAME) != 0) {
      while (need() != 0) {
        // the original file name, zero-terminated
      }
    }
    if ((flags & FCOMMENT) != 0) {
      while (need() != 0) {
        // a comment, zero-terminated
      }
    }
    if ((flags & FHCRC) != 0) {
      need();
      need();
    }
  }

  private long u32() throws IOException {
    return need() | (long) need() << 8 | (long) need() << 16 | (long) need() << 24;
  }

  /** The next compressed byte, which must exist. */
  private int need() throws IOException {
    int b = next();
    if (b < 0) {
      throw damaged("the gzip stream ends early");
    }
    return b;
  }

  /** The next compressed byte, or -1 at the end of the file. */
  private int next() throws IOException {
    if (pos == lim && !fill()) {
      return -1;
    }
    return buf[pos++] & 0xff;
  }

  /** Refills the buffer once everything in it is consumed; false at the end of the file. */
  private boolean fill() throws IOException {
    bufStart += lim;
    pos = 0;
    lim = Math.max(0, in.read(buf, 0, buf.length));
    return lim > 0;
  }

  /** File offset of the next compressed byte. */
  private long offset() {
    return bufStart + pos;
  }

  private InputException damaged(String what) {
    failure = InputException.damaged(path + ":" + line, what);
    return failure;
  }

  @Override
  public void close() throws IOException {
    inflater.end();
    in.close();
  }
}
