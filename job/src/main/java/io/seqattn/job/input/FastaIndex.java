package io.seqattn.job.input;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import io.seqattn.core.tokenize.DnaKmerTokenizer;
import io.seqattn.core.tokenize.InvalidSymbolException;

/**
 * A samtools-compatible FASTA index ({@code .fai}): per record its name, length in bases, the byte
 * offset of its first base (in uncompressed bytes, also for BGZF files), bases per line and bytes per line (line terminator included). With it
 * the byte offset of any base is arithmetic — offset + ⌊b / lineBases⌋·lineWidth + b mod lineBases
 * — so a Spark task can read just its own range of one huge record.
 *
 * <p>{@link #build} is one streaming pass with samtools' rules: every line of a record but the last
 * has the same length, no blank line inside a record, names unique. Violations are errors naming the
 * file and line, as are characters that are not IUPAC nucleotide letters (checked while indexing, so
 * an indexed file's sequences are known to be well-formed).
 */
public record FastaIndex(List<Entry> entries) implements Serializable {

  /** One record: a line of the .fai file. */
  public record Entry(String name, long length, long offset, int lineBases, int lineWidth) implements Serializable {

    /** Byte offset in the file of base {@code b} (0 ≤ b ≤ length) of this record. */
    public long offsetOf(long b) {
      return lineBases == 0 ? offset : offset + (b / lineBases) * lineWidth + (b % lineBases);
    }

    /** 1-based file line of base {@code b}, given the line of the record's header. */
    public long lineOf(long headerLine, long b) {
      return headerLine + 1 + (lineBases == 0 ? 0 : b / lineBases);
    }
  }

  public static Path indexPathOf(Path fasta) {
    return fasta.resolveSibling(fasta.getFileName() + ".fai");
  }

  /** Reads a .fai file. */
  public static FastaIndex read(Path fai) throws IOException {
    List<Entry> entries = new ArrayList<>();
    long lineNo = 0;
    for (String line : Files.readAllLines(fai, StandardCharsets.UTF_8)) {
      lineNo++;
      if (line.isBlank()) {
        continue;
      }
      String[] f = line.split("\t");
      try {
        if (f.length < 5) {
          throw new NumberFormatException();
        }
        entries.add(new Entry(f[0], Long.parseLong(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]),
            Integer.parseInt(f[4])));
      } catch (NumberFormatException e) {
        throw new InputException(fai + ":" + lineNo + ": not a FASTA index line (expected name, length, offset, "
            + "linebases, linewidth separated by tabs)");
      }
    }
    return new FastaIndex(List.copyOf(entries));
  }

  /**
   * Checks, before the index is trusted, that it still describes {@code fasta} — cheaply, with
   * O(records) small reads and no scan of the sequences: every record's line geometry must be
   * possible (bases per line below bytes per line), records must follow each other and end
   * inside the file, and the bytes just before each record's first base must be the end of a
   * {@code >} header line whose first word is the record's name (at most {@link #MAX_HEADER}
   * bytes are read back; a longer header is checked only for ending where the index says). A
   * header renamed in place, a record re-wrapped or a file cut short, with the .fai kept newer
   * than the file, is then refused instead of read at stale offsets.
   *
   * @param fai where the index was read from, named in the message
   * @throws InputException naming the stale index and how to rebuild it
   */
  public void verify(Path fasta, Path fai) throws IOException {
    if (entries.isEmpty()) {
      throw InputException.staleIndex(fai, fasta, "it lists no records");
    }
    try (ByteSource source = ByteSource.open(fasta)) {
      long size = source.size();
      long previousEnd = 0;
      String previous = null;
      for (Entry e : entries) {
        String record = "record '" + e.name() + "'";
        if (e.length() < 0 || e.offset() < 0 || e.lineBases() < 0
            || (e.length() > 0 && (e.lineBases() == 0 || e.lineWidth() <= e.lineBases()))) {
          throw InputException.staleIndex(fai, fasta, record + " has an impossible line geometry (" + e.lineBases()
              + " bases in lines of " + e.lineWidth() + " bytes)");
        }
        if (previous != null && e.offset() <= previousEnd) {
          throw InputException.staleIndex(fai, fasta, record + " starts at byte " + e.offset()
              + ", before the end of record '" + previous + "'");
        }
        long end = e.length() == 0 ? e.offset() : e.offsetOf(e.length() - 1) + 1;
        if (end > size) {
          throw InputException.staleIndex(fai, fasta, record + " ends at byte " + end + ", past the end of the file ("
              + size + " bytes)");
        }
        String found = headerBefore(source, previousEnd, e.offset());
        if (found != null && !e.name().equals(found)) {
          throw InputException.staleIndex(fai, fasta, record + " is not where the index says: the header before byte "
              + e.offset() + (found.isEmpty() ? " is not a '>' line" : " names '" + found + "'"));
        }
        previousEnd = end;
        previous = e.name();
      }
    }
  }

  /** Longest header line read back by {@link #verify}. */
  static final int MAX_HEADER = 1 << 16;

  /**
   * The sequence id of the header line that ends just before byte {@code offset}, reading back no
   * further than {@code from} (where the previous record's bases end) nor more than
   * {@link #MAX_HEADER} bytes: "" when the bytes there are not a {@code >} line ending at
   * {@code offset}, null when the line is too long to see its start.
   */
  private static String headerBefore(ByteSource source, long from, long offset) throws IOException {
    long start = Math.max(from, offset - MAX_HEADER);
    ByteBuffer window = ByteBuffer.allocate((int) (offset - start));
    while (window.hasRemaining() && source.read(window, start + window.position()) > 0) {
      // a BGZF source returns at most one block per read
    }
    byte[] b = window.array();
    int n = window.position();
    if (n < 2 || n < b.length || b[n - 1] != '\n') {
      return "";
    }
    int lineStart = n - 2;
    while (lineStart >= 0 && b[lineStart] != '\n') {
      lineStart--;
    }
    lineStart++;
    if (lineStart == 0 && start > from) {
      return null;
    }
    if (start == 0 && n >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf) {
      lineStart = Math.max(lineStart, 3); // the byte-order mark before the first header
    }
    if (b[lineStart] != '>') {
      return "";
    }
    return idOf(new String(b, lineStart + 1, n - 1 - (lineStart + 1), StandardCharsets.UTF_8));
  }

  /** The sequence id in a header line after its {@code >}: its first word, as every FASTA reader here takes it. */
  static String idOf(String header) {
    String h = header.strip();
    int space = 0;
    while (space < h.length() && !Character.isWhitespace(h.charAt(space))) {
      space++;
    }
    return h.substring(0, space);
  }

  public void write(Path fai) throws IOException {
    Path tmp = fai.resolveSibling(fai.getFileName() + ".tmp");
    try (BufferedWriter out = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      for (Entry e : entries) {
        out.write(e.name() + "\t" + e.length() + "\t" + e.offset() + "\t" + e.lineBases() + "\t" + e.lineWidth() + "\n");
      }
    }
    Files.move(tmp, fai, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * Indexes an uncompressed or BGZF-compressed FASTA file in one streaming pass; offsets are in
   * uncompressed bytes, as samtools writes them for both.
   */
  public static FastaIndex build(Path fasta) throws IOException {
    String file = fasta.toString();
    boolean bgzf = Bgzf.isBgzf(fasta);
    if (!bgzf && file.endsWith(".gz")) {
      throw new InputException(file + ": cannot index a plain gzip file for random access (recompress it with "
          + "'bgzip', or decompress it; plain gzip files are read whole by one task)");
    }
    List<Entry> entries = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (InputStream raw = Files.newInputStream(fasta);
         InputStream in = bgzf ? new GzipStream(raw, file) : raw) {
      new Scanner(in, file).run(entries, names);
    }
    if (entries.isEmpty()) {
      throw new InputException(file + ": empty file (no FASTA records)");
    }
    return new FastaIndex(List.copyOf(entries));
  }

  /** The byte-level pass behind {@link #build}: tracks offsets exactly, CR and LF alike. */
  private static final class Scanner {
    private final InputStream in;
    private final String file;
    private final byte[] buf = new byte[1 << 16];
    private int pos;
    private int lim;
    private long consumed;

    /** Skips a byte-order mark at the start, counting its bytes: offsets are the file's. */
    Scanner(InputStream in, String file) throws IOException {
      java.io.BufferedInputStream buffered = new java.io.BufferedInputStream(in, 1 << 16);
      this.consumed = InputFile.skipBom(buffered);
      this.in = buffered;
      this.file = file;
    }

    private int read() throws IOException {
      if (pos == lim) {
        lim = in.read(buf, 0, buf.length);
        pos = 0;
        if (lim <= 0) {
          lim = 0;
          return -1;
        }
      }
      consumed++;
      return buf[pos++] & 0xff;
    }

    void run(List<Entry> entries, Set<String> names) throws IOException {
      long line = 0;
      String name = null;
      long length = 0;
      long offset = 0;
      int lineBases = -1;
      int lineWidth = -1;
      boolean shortLineSeen = false;
      long shortLine = 0;
      boolean blankSeen = false;
      long blankLine = 0;
      java.io.ByteArrayOutputStream header = new java.io.ByteArrayOutputStream();
      int c = read();
      while (c != -1) {
        line++;
        long lineStart = consumed - 1;
        if (c == '>') {
          if (name != null) {
            entries.add(new Entry(name, length, offset, Math.max(lineBases, 0), Math.max(lineWidth, 0)));
          }
          header.reset();
          while ((c = read()) != -1 && c != '\n') {
            header.write(c);
          }
          name = idOf(header.toString(StandardCharsets.UTF_8)); // UTF-8, as the sequential reader decodes it
          if (name.isEmpty()) {
            throw new InputException(file + ":" + line + ": header has an empty sequence id");
          }
          if (!names.add(name)) {
            throw new InputException(file + ":" + line + ": duplicate sequence id '" + name + "'");
          }
          length = 0;
          offset = consumed;
          lineBases = -1;
          lineWidth = -1;
          shortLineSeen = false;
          blankSeen = false;
          c = read();
          continue;
        }
        int bases = 0;
        int col = 0;
        while (c != -1 && c != '\n') {
          col++;
          if (c != '\r') {
            if (!DnaKmerTokenizer.isNucleotideCode((char) c)) {
              if (name == null) {
                throw new InputException(file + ":" + line + ": sequence data before the first '>' header");
              }
              throw new InputException(file + ":" + line + ":" + col + ": "
                  + new InvalidSymbolException((char) c, col - 1, DnaKmerTokenizer.EXPECTED).getMessage()
                  + " in sequence '" + name + "'");
            }
            bases++;
          }
          c = read();
        }
        int width = (int) (consumed - lineStart);
        if (c == -1) {
          width++; // a last line without a terminator is counted as if it had one, as samtools does
        }
        c = read();
        if (bases == 0) {
          if (name != null) {
            blankSeen = true;
            blankLine = line;
          }
          continue;
        }
        if (name == null) {
          throw new InputException(file + ":" + line + ": sequence data before the first '>' header");
        }
        if (blankSeen) {
          throw new InputException(file + ":" + blankLine + ": blank line inside sequence '" + name
              + "' (an indexed FASTA must not have one)");
        }
        if (shortLineSeen) {
          throw new InputException(file + ":" + shortLine + ": line of sequence '" + name + "' is shorter than "
              + "the others (an indexed FASTA needs equal line lengths; re-wrap it, e.g. with 'seqkit seq -w 60')");
        }
        if (lineBases < 0) {
          lineBases = bases;
          lineWidth = width;
        } else if (bases != lineBases || width != lineWidth) {
          if (bases > lineBases) {
            throw new InputException(file + ":" + line + ": line of sequence '" + name + "' is longer than the "
                + "first (" + bases + " > " + lineBases + " bases)");
          }
          shortLineSeen = true;
          shortLine = line;
        }
        length += bases;
      }
      if (name != null) {
        entries.add(new Entry(name, length, offset, Math.max(lineBases, 0), Math.max(lineWidth, 0)));
      }
    }
  }
}
