package io.seqattn.job.input;

import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.zip.CRC32;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * BGZF, the blocked gzip of the SAM/BAM specification (§4.1) that {@code bgzip} writes: a series of
 * gzip members of at most 64 KiB each, every one carrying its own compressed size in a {@code BC}
 * extra field. Any gzip reader decompresses it whole; with the {@code .gzi} block index (the format
 * of {@code bgzip -i} and {@code samtools faidx}: a little-endian uint64 count, then that many
 * (compressed offset, uncompressed offset) uint64 pairs, the first block's (0, 0) implied) a reader
 * can start at any uncompressed offset by inflating from the block that holds it.
 */
public final class Bgzf {
  private static final int FIXED_HEADER = 12;
  /** Largest block, compressed or not (BSIZE is a uint16 holding size − 1). */
  private static final int MAX_BLOCK = 1 << 16;
  /** CRC32 and ISIZE after a block's deflate data. */
  private static final int TRAILER = 8;
  /** The empty block every BGZF file ends with (SAM/BAM specification §4.1.2). */
  private static final byte[] EOF_MARKER = {31, -117, 8, 4, 0, 0, 0, 0, 0, -1, 6, 0, 66, 67, 2, 0, 27, 0, 3, 0, 0, 0,
      0, 0, 0, 0, 0, 0};

  private Bgzf() {}

  /**
   * Refuses a BGZF file that does not end with the end-of-file marker block, as htslib warns: a
   * file cut exactly at a block boundary has nothing else to show that it is incomplete, and its
   * block index would simply stop early.
   */
  public static void requireEofMarker(String file) throws IOException {
    try (ByteSource ch = Storage.openRandom(file)) {
      ByteBuffer tail = ByteBuffer.allocate(EOF_MARKER.length);
      long size = ch.size();
      if (size >= EOF_MARKER.length) {
        while (tail.hasRemaining() && ch.read(tail, size - EOF_MARKER.length + tail.position()) > 0) {
          // 28 bytes: one read in practice
        }
      }
      if (!Arrays.equals(tail.array(), EOF_MARKER)) {
        throw InputException.damaged(file, "the BGZF end-of-file marker block is missing");
      }
    }
  }

  /** Whether the file starts with a BGZF block (a gzip header with a {@code BC} extra subfield). */
  public static boolean isBgzf(String file) throws IOException {
    try (InputStream in = Storage.open(file)) {
      byte[] head = in.readNBytes(FIXED_HEADER + 64);
      return blockSize(head, 0, head.length) > 0;
    }
  }

  /** The path of a file's block index: {@code FILE.gzi}. */
  public static String indexPathOf(String file) {
    return file + ".gzi";
  }

  /** {@link #indexPathOf(String)} of a local file. */
  public static Path indexPathOf(Path file) {
    return Path.of(indexPathOf(file.toString()));
  }

  /** {@link #isBgzf(String)} of a local file. */
  public static boolean isBgzf(Path file) throws IOException {
    return isBgzf(file.toString());
  }

  /**
   * The total size of the BGZF block whose header starts at {@code buf[off]}, or -1 when the bytes
   * there are not a BGZF block header.
   */
  static int blockSize(byte[] buf, int off, int len) {
    if (len < FIXED_HEADER || (buf[off] & 0xff) != 31 || (buf[off + 1] & 0xff) != 139 || buf[off + 2] != 8
        || (buf[off + 3] & 4) == 0) {
      return -1;
    }
    int xlen = u16(buf, off + 10);
    int p = off + FIXED_HEADER;
    int end = Math.min(off + len, p + xlen);
    while (p + 4 <= end) {
      int slen = u16(buf, p + 2);
      if (buf[p] == 'B' && buf[p + 1] == 'C' && slen == 2 && p + 6 <= end) {
        return u16(buf, p + 4) + 1;
      }
      p += 4 + slen;
    }
    return -1;
  }

  private static int u16(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8;
  }

  private static int s32(byte[] b, int i) {
    return (b[i] & 0xff) | (b[i + 1] & 0xff) << 8 | (b[i + 2] & 0xff) << 16 | (b[i + 3] & 0xff) << 24;
  }

  /** A block's size in the file and its uncompressed size, read from its header and trailer only. */
  private record Block(int size, long isize) {

    /** The whole block starting at byte {@code c}, or null when there is none (no header, or cut short). */
    static Block at(ByteSource ch, long c) throws IOException {
      byte[] head = new byte[FIXED_HEADER + 64];
      int got = ch.read(ByteBuffer.wrap(head), c);
      int bsize = blockSize(head, 0, Math.max(got, 0));
      if (bsize < FIXED_HEADER + TRAILER || c + bsize > ch.size()) {
        return null;
      }
      ByteBuffer trailer = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(trailer, c + bsize - 4);
      return new Block(bsize, Integer.toUnsignedLong(trailer.getInt(0)));
    }
  }

  /** The block index of a BGZF file: where each block starts, compressed and uncompressed. */
  public record BlockIndex(long[] compressed, long[] uncompressed) implements Serializable {

    /**
     * The file's {@code .gzi} when present and not older than the file, else a fresh one (kept when
     * possible). Either way the file must end with its end-of-file marker block.
     */
    public static BlockIndex of(String file) throws IOException {
      String gzi = indexPathOf(file);
      if (Storage.exists(gzi) && Storage.modified(gzi) >= Storage.modified(file)) {
        requireEofMarker(file);
        BlockIndex index = read(gzi);
        index.verify(file, gzi);
        return index;
      }
      BlockIndex index = build(file);
      try {
        index.write(gzi);
      } catch (IOException e) {
        // a read-only input directory: use the index without keeping it
      }
      return index;
    }

    /** {@link #of(String)} of a local file. */
    public static BlockIndex of(Path file) throws IOException {
      return of(file.toString());
    }

    /** {@link #build(String)} of a local file. */
    public static BlockIndex build(Path file) throws IOException {
      return build(file.toString());
    }

    /** {@link #read(String)} of a local file. */
    public static BlockIndex read(Path gzi) throws IOException {
      return read(gzi.toString());
    }

    /** {@link #write(String)} to a local file. */
    public void write(Path gzi) throws IOException {
      write(gzi.toString());
    }

    void verify(Path file, Path gzi) throws IOException {
      verify(file.toString(), gzi.toString());
    }

    /** Reads a {@code .gzi} file. */
    public static BlockIndex read(String gzi) throws IOException {
      byte[] bytes = Storage.readAllBytes(gzi);
      ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      if (bytes.length < 8 || (bytes.length - 8) % 16 != 0 || in.getLong(0) != (bytes.length - 8) / 16) {
        throw new InputException(gzi + ": not a BGZF block index (.gzi: a uint64 count and that many offset "
            + "pairs); delete it and seqattn rebuilds it");
      }
      int n = (int) in.getLong();
      long[] c = new long[n + 1];
      long[] u = new long[n + 1];
      for (int i = 1; i <= n; i++) {
        c[i] = in.getLong();
        u[i] = in.getLong();
      }
      return new BlockIndex(c, u);
    }

    /**
     * Indexes a BGZF file by walking its block headers (no decompression). Like bgzip, it lists the
     * start of every block that holds data, so the .gzi it writes is byte-identical to bgzip's.
     */
    public static BlockIndex build(String file) throws IOException {
      requireEofMarker(file);
      long[] c = new long[1024];
      long[] u = new long[1024];
      int n = 1; // entry 0 is the first block, (0, 0)
      long coff = 0;
      long uoff = 0;
      try (ByteSource ch = Storage.openRandom(file)) {
        long size = ch.size();
        while (coff < size) {
          Block block = Block.at(ch, coff);
          if (block == null) {
            throw InputException.damaged(file, "byte " + coff + " is not the start of a whole BGZF block");
          }
          int bsize = block.size();
          long isize = block.isize();
          if (coff > 0 && isize > 0) { // as bgzip: blocks holding data, the first one implied
            if (n == c.length) {
              c = Arrays.copyOf(c, n * 2);
              u = Arrays.copyOf(u, n * 2);
            }
            c[n] = coff;
            u[n] = uoff;
            n++;
          }
          uoff += isize;
          coff += bsize;
        }
      }
      return new BlockIndex(Arrays.copyOf(c, n), Arrays.copyOf(u, n));
    }

    /**
     * Checks an index read from {@code gzi} against the file before it is trusted, cheaply: its
     * entries must be in order and inside the file, and at the first, the last and four entries
     * in between there must be a block header whose sizes agree with the next entry; after the
     * last entry only empty blocks may follow (bgzip lists every block that holds data). A file
     * recompressed or edited after its .gzi was written, with the .gzi still the newer one,
     * fails these checks instead of being read at wrong offsets.
     *
     * @throws InputException naming the stale .gzi and how to rebuild it
     */
    void verify(String file, String gzi) throws IOException {
      int n = compressed.length;
      try (ByteSource ch = Storage.openRandom(file)) {
        long size = ch.size();
        for (int i = 1; i < n; i++) {
          if (compressed[i] <= compressed[i - 1] || uncompressed[i] < uncompressed[i - 1]) {
            throw InputException.staleIndex(gzi, file, "entry " + i + " is out of order");
          }
        }
        if (compressed[n - 1] >= size) {
          throw InputException.staleIndex(gzi, file, "its last block starts at byte " + compressed[n - 1]
              + ", past the end of the file (" + size + " bytes)");
        }
        SortedSet<Integer> sample = new TreeSet<>();
        for (int j = 0; j <= 5; j++) {
          sample.add((int) ((long) (n - 1) * j / 5));
        }
        for (int i : sample) {
          long c = compressed[i];
          Block block = Block.at(ch, c);
          if (block == null) {
            throw InputException.staleIndex(gzi, file, "byte " + c + " is not the start of a BGZF block");
          }
          long end = c + block.size();
          if (i + 1 < n) {
            long span = uncompressed[i + 1] - uncompressed[i];
            if (end > compressed[i + 1] || block.isize() > span || (end == compressed[i + 1] && block.isize() != span)) {
              throw InputException.staleIndex(gzi, file, "the block at byte " + c + " holds " + block.isize()
                  + " bytes, the index says " + span);
            }
            continue;
          }
          for (long next = end; next < size; next += block.size()) { // after the last entry: the EOF block
            block = Block.at(ch, next);
            if (block == null || block.isize() > 0) {
              throw InputException.staleIndex(gzi, file, "it lists no block at byte " + next + ", where the file "
                  + (block == null ? "has no block header" : "holds data"));
            }
          }
        }
      }
    }

    /** Writes the index in the .gzi format, atomically. */
    public void write(String gzi) throws IOException {
      int n = compressed.length - 1;
      ByteBuffer out = ByteBuffer.allocate(8 + 16 * n).order(ByteOrder.LITTLE_ENDIAN);
      out.putLong(n);
      for (int i = 1; i <= n; i++) {
        out.putLong(compressed[i]).putLong(uncompressed[i]);
      }
      Storage.writeAtomically(gzi, out.array());
    }

    /** The last block starting at or before uncompressed offset {@code u}. */
    int blockOf(long u) {
      int i = Arrays.binarySearch(uncompressed, u);
      if (i >= 0) {
        while (i + 1 < uncompressed.length && uncompressed[i + 1] == u) {
          i++; // empty blocks share their successor's offset; start at the last of them
        }
        return i;
      }
      return -i - 2;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof BlockIndex b && Arrays.equals(compressed, b.compressed)
          && Arrays.equals(uncompressed, b.uncompressed);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(compressed) * 31 + Arrays.hashCode(uncompressed);
    }

    @Override
    public String toString() {
      return "BlockIndex[" + compressed.length + " blocks]";
    }
  }

  /**
   * Random access to a BGZF file's uncompressed bytes. Keeps the last inflated block, so the
   * sequential reads of a split FASTA piece inflate each block once.
   */
  static final class Reader implements ByteSource {
    private final String file;
    private final ByteSource channel;
    private final BlockIndex index;
    private final Inflater inflater = new Inflater(true);
    private final CRC32 crc = new CRC32();
    private final byte[] compressedBlock = new byte[MAX_BLOCK];
    private final byte[] block = new byte[MAX_BLOCK];
    private long blockC = -1;
    private long blockU;
    private int blockLen;
    private int blockCSize;

    Reader(Path file, BlockIndex index) throws IOException {
      this(file.toString(), index);
    }

    Reader(String file, BlockIndex index) throws IOException {
      this.file = file;
      this.channel = Storage.openRandom(file);
      this.index = index;
    }

    @Override
    public int read(ByteBuffer dst, long position) throws IOException {
      if (blockC < 0 || position < blockU || position > blockU + blockLen) {
        int i = index.blockOf(position);
        load(index.compressed()[i], index.uncompressed()[i]);
      }
      while (position >= blockU + blockLen) { // sequential reads step into the next block
        if (!loadNext()) {
          return -1;
        }
      }
      int from = (int) (position - blockU);
      int n = Math.min(dst.remaining(), blockLen - from);
      dst.put(block, from, n);
      return n;
    }

    private boolean loadNext() throws IOException {
      long next = blockC + blockCSize;
      if (next >= channel.size()) {
        return false;
      }
      load(next, blockU + blockLen);
      return true;
    }

    /**
     * Inflates the block at compressed offset {@code c} (uncompressed offset {@code u}) and checks
     * it against its own header and trailer — size, length and CRC32 — so damaged data is never
     * handed on as bases.
     */
    private void load(long c, long u) throws IOException {
      ByteBuffer buf = ByteBuffer.wrap(compressedBlock, 0, FIXED_HEADER + 64);
      int got = channel.read(buf, c);
      int bsize = blockSize(compressedBlock, 0, Math.max(got, 0));
      if (bsize < 0) {
        throw new InputException(file + ": byte " + c + " is not the start of a BGZF block: the .gzi index does not "
            + "match the file (rebuild it with 'seqattn index " + file + "', or delete " + indexPathOf(file) + ")");
      }
      buf = ByteBuffer.wrap(compressedBlock, 0, bsize);
      while (buf.hasRemaining() && channel.read(buf, c + buf.position()) > 0) {
        // read the whole block
      }
      if (buf.hasRemaining()) {
        throw InputException.damaged(file, "the BGZF block at byte " + c + " ends early");
      }
      int dataStart = FIXED_HEADER + u16(compressedBlock, 10);
      int isize = s32(compressedBlock, bsize - 4);
      if (bsize < dataStart + TRAILER || isize < 0 || isize > MAX_BLOCK) {
        throw InputException.damaged(file, "the BGZF block at byte " + c + " has an invalid header");
      }
      inflater.reset();
      inflater.setInput(compressedBlock, dataStart, bsize - dataStart - TRAILER);
      int n = 0;
      try {
        while (n < isize && !inflater.finished()) {
          int k = inflater.inflate(block, n, isize - n);
          if (k == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
            break;
          }
          n += k;
        }
      } catch (DataFormatException e) {
        throw InputException.damaged(file, "the BGZF block at byte " + c + " holds invalid compressed data ("
            + e.getMessage() + ")");
      }
      if (n != isize) {
        throw InputException.damaged(file, "the BGZF block at byte " + c + " fails its length check");
      }
      crc.reset();
      crc.update(block, 0, n);
      if ((int) crc.getValue() != s32(compressedBlock, bsize - TRAILER)) {
        throw InputException.damaged(file, "the BGZF block at byte " + c + " fails its CRC32 check");
      }
      blockC = c;
      blockU = u;
      blockLen = isize;
      blockCSize = bsize;
    }

    /** The uncompressed size: the last indexed block's offset plus what it and any later block hold. */
    @Override
    public long size() throws IOException {
      int last = index.compressed().length - 1;
      long size = index.uncompressed()[last];
      long end = channel.size();
      for (long c = index.compressed()[last]; c < end; ) {
        Block block = Block.at(channel, c);
        if (block == null) {
          throw InputException.damaged(file, "byte " + c + " is not the start of a whole BGZF block");
        }
        size += block.isize();
        c += block.size();
      }
      return size;
    }

    @Override
    public void close() throws IOException {
      inflater.end();
      channel.close();
    }
  }
}
