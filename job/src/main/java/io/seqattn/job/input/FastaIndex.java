package io.seqattn.job.input;

import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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

  public static String indexPathOf(String fasta) {
    return fasta + ".fai";
  }

  /** {@link #indexPathOf(String)} of a local file. */
  public static Path indexPathOf(Path fasta) {
    return Path.of(indexPathOf(fasta.toString()));
  }

  /** {@link #read(String)} of a local file. */
  public static FastaIndex read(Path fai) throws IOException {
    return read(fai.toString());
  }

  /** {@link #build(String)} of a local file. */
  public static FastaIndex build(Path fasta) throws IOException {
    return build(fasta.toString());
  }

  /** {@link #verify(String, String)} of local files. */
  public void verify(Path fasta, Path fai) throws IOException {
    verify(fasta.toString(), fai.toString());
  }

  /** {@link #write(String)} to a local file. */
  public void write(Path fai) throws IOException {
    write(fai.toString());
  }

  /** Reads a .fai file. */
  public static FastaIndex read(String fai) throws IOException {
    List<Entry> entries = new ArrayList<>();
    long lineNo = 0;
    for (String line : new String(Storage.readAllBytes(fai), StandardCharsets.UTF_8).split("\r?\n")) {
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
   * inside the file, the bytes just before each record's first base must be the end of a
   * {@code >} header line whose first word is the record's name, and between one record's last
   * base and the next header, and after the last record, there may be line breaks only (at most
   * {@link #MAX_HEADER} bytes are read back; a longer header is checked only for ending where
   * the index says). A header renamed in place, a record re-wrapped or cut short, or a record
   * appended, with the .fai kept newer than the file, is then refused instead of read at stale
   * offsets; what is left — bases and descriptions changed in place — is read as the file now
   * has it, and line breaks moved inside a record are found by the task that reads it.
   *
   * @param fai where the index was read from, named in the message
   * @throws InputException naming the stale index and how to rebuild it
   */
  public void verify(String fasta, String fai) throws IOException {
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
        LineBefore header = LineBefore.read(source, previousEnd, e.offset());
        if (header != null && !(header.line().startsWith(">") && e.name().equals(idOf(header.line().substring(1))))) {
          throw InputException.staleIndex(fai, fasta, record + " is not where the index says: " + (header.line()
              .startsWith(">") ? "the header before byte " + e.offset() + " names '" + idOf(header.line().substring(1))
              + "'" : "the line before byte " + e.offset() + " is not a header but '" + abbreviated(header.line()) + "'"));
        }
        if (header != null && !header.onlyLineBreaksBefore()) {
          throw InputException.staleIndex(fai, fasta, (previous == null ? "the file does not start with "
              : "record '" + previous + "' does not end at byte " + previousEnd + ": more than line breaks lie between it "
              + "and ") + "the header of " + record);
        }
        previousEnd = end;
        previous = e.name();
      }
      if (size - previousEnd > MAX_HEADER || !onlyLineBreaks(source, previousEnd, size)) {
        throw InputException.staleIndex(fai, fasta, "the file holds more than line breaks after the end of record '"
            + previous + "' at byte " + previousEnd);
      }
    }
  }

  /** Longest header line read back by {@link #verify} and for a split read's description. */
  static final int MAX_HEADER = 1 << 16;

  /**
   * The text line that ends (with its line break) just before a byte offset — for a record, its
   * header — and whether the bytes from the bound it was read back to up to that line are line
   * breaks only.
   */
  record LineBefore(String line, boolean onlyLineBreaksBefore) {

    /**
     * Reads back from {@code offset} no further than {@code from} nor more than
     * {@link #MAX_HEADER} bytes. The line is "" when the bytes there do not end with a line
     * break (unless {@code offset} is the end of the file, whose last line may lack one); the
     * result is null when the line's start lies beyond the bytes read back.
     */
    static LineBefore read(ByteSource source, long from, long offset) throws IOException {
      long start = Math.max(from, offset - MAX_HEADER);
      byte[] b = readFully(source, start, (int) (offset - start));
      int n = b.length;
      boolean terminated = n > 0 && b[n - 1] == '\n';
      if (n == 0 || !terminated && source.read(ByteBuffer.allocate(1), offset) >= 0) {
        return new LineBefore("", true); // not a line ending at offset (only the file's last may lack its break)
      }
      int end = !terminated ? n : n >= 2 && b[n - 2] == '\r' ? n - 2 : n - 1;
      int lineStart = end - 1;
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
      boolean clean = true;
      for (int i = start == 0 ? Math.min(lineStart, bomLength(b)) : 0; i < lineStart; i++) {
        clean &= b[i] == '\n' || b[i] == '\r';
      }
      return new LineBefore(new String(b, lineStart, end - lineStart, StandardCharsets.UTF_8), clean);
    }

    private static int bomLength(byte[] b) {
      return b.length >= 3 && (b[0] & 0xff) == 0xef && (b[1] & 0xff) == 0xbb && (b[2] & 0xff) == 0xbf ? 3 : 0;
    }
  }

  /** Whether bytes [from, to) of the source are all line breaks. */
  private static boolean onlyLineBreaks(ByteSource source, long from, long to) throws IOException {
    for (byte b : readFully(source, from, (int) (to - from))) {
      if (b != '\n' && b != '\r') {
        return false;
      }
    }
    return true;
  }

  /** Bytes [from, from + n) of the source, fewer at the end of the data. */
  private static byte[] readFully(ByteSource source, long from, int n) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(n);
    while (buf.hasRemaining() && source.read(buf, from + buf.position()) > 0) {
      // a BGZF source returns at most one block per read
    }
    return Arrays.copyOf(buf.array(), buf.position());
  }

  private static String abbreviated(String line) {
    return line.length() <= 60 ? line : line.substring(0, 60) + "...";
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

  /** The description in a header line after its {@code >}: what follows the id, stripped. */
  static String descriptionOf(String header) {
    String h = header.strip();
    return h.substring(idOf(h).length()).strip();
  }

  /** Writes the index in samtools' format, atomically ({@link Storage#writeAtomically}). */
  public void write(String fai) throws IOException {
    StringBuilder out = new StringBuilder();
    for (Entry e : entries) {
      out.append(e.name()).append('\t').append(e.length()).append('\t').append(e.offset()).append('\t')
          .append(e.lineBases()).append('\t').append(e.lineWidth()).append('\n');
    }
    Storage.writeAtomically(fai, out.toString().getBytes(StandardCharsets.UTF_8));
  }

  /**
   * Indexes an uncompressed or BGZF-compressed FASTA file in one streaming pass; offsets are in
   * uncompressed bytes, as samtools writes them for both.
   */
  public static FastaIndex build(String fasta) throws IOException {
    String file = fasta;
    boolean bgzf = Bgzf.isBgzf(fasta);
    if (!bgzf && InputFormat.isCompressedName(file)) {
      throw new InputException(file + ": cannot index a plain gzip file for random access (recompress it with "
          + "'bgzip', or decompress it; plain gzip files are read whole by one task)");
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, Long> names = new HashMap<>();
    try (InputStream raw = Storage.open(fasta);
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
      BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
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

    /** @param names each record name seen so far, with the line of its header */
    void run(List<Entry> entries, Map<String, Long> names) throws IOException {
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
      ByteArrayOutputStream header = new ByteArrayOutputStream();
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
          Long first = names.putIfAbsent(name, line);
          if (first != null) {
            throw new InputException(file + ":" + line + ": duplicate sequence id '" + name + "' (first at " + file
                + ":" + first + "; ids must be unique across all inputs of a run: rename one of them)");
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
