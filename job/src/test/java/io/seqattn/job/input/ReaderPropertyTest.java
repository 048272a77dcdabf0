package io.seqattn.job.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.tokenize.InvalidSymbolException;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import io.seqattn.job.testing.BgzfWriter;
import io.seqattn.job.testing.Property;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Property tests of the readers: random FASTA, JSONL and text files, randomly damaged (bytes
 * flipped, lines cut, headers duplicated, CRLF mixed, a byte-order mark added; gzip and BGZF cut
 * or flipped), read whole through {@link Readers#chunks(InputFile)} and index-split through
 * {@link SplitPlanner} and {@link Readers#chunks(ReadTask)}. Each case must either give exactly
 * what a small plain reference parser in this class gives (same ids, same tokens from the real
 * tokenizers, same descriptions and passthrough fields) or fail with an {@link InputException}
 * whose message starts with the file — never another exception, never a hang.
 *
 * <p>Where only the uncompressed text was damaged, the reference also decides <em>which</em>:
 * the reader must accept what the reference accepts and refuse what it refuses. Where compressed
 * bytes were damaged, refusing is always allowed, but any data returned must be the undamaged
 * file's. The index-split reader may refuse more (an index needs equal line lengths), so it is
 * held to the weaker rule, with a floor on how many cases it reads, so the property stays
 * meaningful. The reference splits lines as {@link java.io.BufferedReader#readLine} does (LF,
 * CRLF or a lone CR).
 */
class ReaderPropertyTest {
  private static final Duration PER_TRY = Duration.ofSeconds(10);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final ObjectReader ONE_VALUE = JSON.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  private static final byte[] BOM = {(byte) 0xef, (byte) 0xbb, (byte) 0xbf};

  @TempDir Path tmp;

  /** A sequence as read: id, all its tokens, and its description (FASTA) or passthrough fields (JSONL). */
  record Seq(String id, int[] tokens, String fields) {
    @Override
    public boolean equals(Object o) {
      return o instanceof Seq s && id.equals(s.id) && Arrays.equals(tokens, s.tokens)
          && java.util.Objects.equals(fields, s.fields);
    }

    @Override
    public int hashCode() {
      return id.hashCode();
    }

    @Override
    public String toString() {
      return id + Arrays.toString(tokens) + (fields == null ? "" : fields);
    }
  }

  // ---------------------------------------------------------------- the properties

  @Test
  void fastaReadWholeIsTheReferenceOrAnInputException() {
    wholeFileProperty(0xFA57A, 400, 100, InputFormat.FASTA, ".fa", 40,
        random -> TokenizerSpec.dna(1 + random.nextInt(5), 1 + random.nextInt(2)),
        random -> mutate(random, fasta(random, false), true), (bytes, spec, name) -> referenceFasta(bytes, spec));
  }

  @Test
  void jsonlReadWholeIsTheReferenceOrAnInputException() {
    wholeFileProperty(0x750E, 400, 100, InputFormat.JSONL, ".jsonl", 40, ReaderPropertyTest::textTokenizer,
        random -> mutate(random, jsonl(random), false), (bytes, spec, name) -> referenceJsonl(bytes, spec));
  }

  @Test
  void textReadWholeIsTheReferenceOrAnInputException() {
    wholeFileProperty(0x7E47, 250, 60, InputFormat.TEXT, ".txt", 4000, ReaderPropertyTest::textTokenizer,
        random -> mutate(random, text(random), false), ReaderPropertyTest::referenceText);
  }

  static TokenizerSpec textTokenizer(Random random) {
    return random.nextBoolean() ? TokenizerSpec.words(1000) : TokenizerSpec.bytes();
  }

  interface Generator<T> {
    T next(Random random) throws Exception;
  }

  /**
   * {@code tries} whole-file reads of generated, damaged files of one format, at random chunk
   * sizes up to {@code maxChunk}; at least {@code floor} of them must be read successfully.
   */
  void wholeFileProperty(long seed, int tries, int floor, InputFormat format, String suffix, int maxChunk,
      Generator<TokenizerSpec> specs, Generator<byte[]> files, Reference reference) {
    AtomicInteger parsed = new AtomicInteger();
    Property.check(seed, tries, PER_TRY, random -> {
      TokenizerSpec spec = specs.next(random);
      byte[] text = files.next(random);
      Readers readers = new Readers(spec, 1 + random.nextInt(maxChunk), "id", "text");
      if (checkWhole(random, format, suffix, text, spec, reference, readers)) {
        parsed.incrementAndGet();
      }
    });
    assertTrue(parsed.get() > floor, "cases read successfully: " + parsed.get());
  }

  /**
   * Index-split reads, plain and BGZF: damage before indexing, damage after indexing with the
   * indexes kept newer than the file (stale), and compressed bytes damaged after indexing.
   */
  @Test
  void fastaReadSplitIsTheReferenceOrAnInputException() {
    AtomicInteger parsed = new AtomicInteger();
    AtomicInteger stale = new AtomicInteger();
    Property.check(0x5B117, 300, PER_TRY, random -> {
      TokenizerSpec spec = TokenizerSpec.dna(1 + random.nextInt(5), 1 + random.nextInt(2));
      int chunkSize = 1 + random.nextInt(30);
      int perTask = 1 + random.nextInt(3);
      byte[] original = fasta(random, true);
      boolean bgzf = random.nextBoolean();
      int blockSize = 20 + random.nextInt(400);
      Path dir = Files.createTempDirectory(tmp, "split");
      Path file = dir.resolve(bgzf ? "g.fa.gz" : "g.fa");
      byte[] expectedFrom = original;
      int scenario = random.nextInt(3);
      if (scenario == 0) { // damaged before it was ever indexed
        expectedFrom = mutate(random, original, true);
        write(file, expectedFrom, bgzf, blockSize);
      } else {
        write(file, original, bgzf, blockSize);
        try {
          splitRead(file, spec, chunkSize, perTask);
        } catch (InputException e) {
          assertNamesFile(file, e);
          return; // could not be indexed in the first place
        }
        if (scenario == 1 || !bgzf) { // changed in place, indexes kept and newer
          expectedFrom = mutate(random, original, true);
          write(file, expectedFrom, bgzf, blockSize);
        } else { // compressed bytes damaged after indexing
          Files.write(file, damageCompressed(random, Files.readAllBytes(file), true));
        }
        CompressedInputTest.touchIndexes(file);
        stale.incrementAndGet();
      }
      List<Seq> expected = referenceFasta(expectedFrom, spec);
      try {
        List<Seq> got = splitRead(file, spec, chunkSize, perTask);
        assertNotNull(expected, "the split read accepted a file the reference refuses: " + got);
        assertEquals(expected, got);
        parsed.incrementAndGet();
      } catch (InputException e) {
        assertNamesFile(file, e);
      }
    });
    assertTrue(parsed.get() > 60 && stale.get() > 60, "read successfully: " + parsed + ", stale cases: " + stale);
  }

  // ---------------------------------------------------------------- checking one case

  interface Reference {
    /** The sequences of an uncompressed file, or null when the file must be refused. */
    List<Seq> of(byte[] text, TokenizerSpec spec, String fileName) throws Exception;
  }

  /**
   * Writes {@code text} plain, gzip or BGZF (the compressed bytes damaged or not), reads it whole
   * and checks the outcome against the reference.
   *
   * @return whether the file was read successfully
   */
  boolean checkWhole(Random random, InputFormat format, String suffix, byte[] text, TokenizerSpec spec,
      Reference reference, Readers readers) throws Exception {
    int container = random.nextInt(3);
    Path file = Files.createTempFile(tmp, "case", suffix + (container == 0 ? "" : ".gz"));
    byte[] bytes = container == 0 ? text : container == 1 ? gzip(text) : bgzf(text, 20 + random.nextInt(500));
    boolean damaged = container > 0 && random.nextInt(3) == 0;
    Files.write(file, damaged ? damageCompressed(random, bytes, container == 2) : bytes);
    List<Seq> expected = reference.of(text, spec, file.getFileName().toString());
    try {
      List<Seq> got = readWhole(readers, new InputFile(file.toString(), format));
      assertNotNull(expected, "the reader accepted a file the reference refuses: " + got);
      assertEquals(expected, got);
      return true;
    } catch (InputException e) {
      assertNamesFile(file, e);
      if (!damaged && expected != null) {
        fail("the reader refused a file the reference reads (" + expected + "): " + e.getMessage(), e);
      }
      return false;
    }
  }

  static void assertNamesFile(Path file, InputException e) {
    assertTrue(e.getMessage() != null && e.getMessage().startsWith(file.toString()), "message: " + e.getMessage());
  }

  /** All sequences of a whole-file read, in file order (duplicate ids kept apart). */
  static List<Seq> readWhole(Readers readers, InputFile file) throws IOException {
    List<Seq> out = new ArrayList<>();
    List<int[]> parts = new ArrayList<>();
    Chunk first = null;
    for (Iterator<ReadItem> it = readers.chunks(file); it.hasNext(); ) {
      Chunk c = (Chunk) it.next();
      if (c.index() == 0) {
        if (first != null) {
          out.add(seq(first, parts));
        }
        first = c;
        parts.clear();
      }
      parts.add(c.tokens());
    }
    if (first != null) {
      out.add(seq(first, parts));
    }
    return out;
  }

  /** All sequences of an index-split read: every task of the plan, chunks put in order per record. */
  static List<Seq> splitRead(Path file, TokenizerSpec spec, int chunkSize, int perTask) throws IOException {
    Readers readers = new Readers(spec, chunkSize, "id", "text");
    Map<String, List<Chunk>> records = new LinkedHashMap<>();
    for (ReadTask task : new SplitPlanner(spec, chunkSize, perTask)
        .plan(List.of(new InputFile(file.toString(), InputFormat.FASTA)))) {
      for (Iterator<ReadItem> it = readers.chunks(task); it.hasNext(); ) {
        Chunk c = (Chunk) it.next();
        records.computeIfAbsent(c.seqId(), id -> new ArrayList<>()).add(c);
      }
    }
    List<Seq> out = new ArrayList<>();
    for (List<Chunk> chunks : records.values()) {
      chunks.sort(java.util.Comparator.comparingInt(Chunk::index));
      out.add(seq(chunks.get(0), chunks.stream().map(Chunk::tokens).toList()));
    }
    return out;
  }

  private static Seq seq(Chunk first, List<int[]> parts) throws IOException {
    TokenBuffer all = new TokenBuffer();
    for (int[] p : parts) {
      for (int t : p) {
        all.add(t);
      }
    }
    String fields = first.info() == null ? null : first.info().fields();
    return new Seq(first.seqId(), all.take(all.size()), fields);
  }

  // ---------------------------------------------------------------- reference parsers

  /** FASTA as the README says it is read. */
  static List<Seq> referenceFasta(byte[] bytes, TokenizerSpec spec) throws IOException {
    List<String> lines = lines(bytes);
    if (lines == null) {
      return null;
    }
    List<Seq> out = new ArrayList<>();
    String id = null;
    String description = null;
    StringBuilder sequence = new StringBuilder();
    for (String line : lines) {
      if (line.startsWith(">")) {
        if (id != null && !add(out, id, sequence, description, spec)) {
          return null;
        }
        String header = line.substring(1).strip();
        int space = 0;
        while (space < header.length() && !Character.isWhitespace(header.charAt(space))) {
          space++;
        }
        id = header.substring(0, space);
        if (id.isEmpty()) {
          return null;
        }
        description = header.substring(id.length()).strip();
        sequence.setLength(0);
      } else if (!line.isBlank()) {
        if (id == null) {
          return null; // sequence data before the first header
        }
        sequence.append(line.stripTrailing());
      }
    }
    if (id != null && !add(out, id, sequence, description, spec)) {
      return null;
    }
    return out.isEmpty() ? null : out;
  }

  private static boolean add(List<Seq> out, String id, CharSequence sequence, String description, TokenizerSpec spec)
      throws IOException {
    int[] tokens = tokens(spec, sequence);
    if (tokens == null) {
      return false;
    }
    String fields = description.isEmpty() ? null : JSON.createObjectNode().put("description", description).toString();
    out.add(new Seq(id, tokens, fields));
    return true;
  }

  /** JSON Lines: one object per non-blank line, id a non-empty string or an integer, text a string. */
  static List<Seq> referenceJsonl(byte[] bytes, TokenizerSpec spec) throws IOException {
    List<String> lines = lines(bytes);
    if (lines == null) {
      return null;
    }
    List<Seq> out = new ArrayList<>();
    for (String line : lines) {
      if (line.isBlank()) {
        continue;
      }
      JsonNode node;
      try {
        node = ONE_VALUE.readTree(line);
      } catch (IOException e) {
        return null;
      }
      if (node == null || !node.isObject()) {
        return null;
      }
      JsonNode id = node.get("id");
      JsonNode text = node.get("text");
      if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty() || text == null
          || !text.isTextual()) {
        return null;
      }
      int[] tokens = tokens(spec, text.asText());
      if (tokens == null) {
        return null;
      }
      ObjectNode fields = ((ObjectNode) node).deepCopy();
      fields.remove("id");
      fields.remove("text");
      out.add(new Seq(id.asText(), tokens, fields.isEmpty() ? null : fields.toString()));
    }
    return out.isEmpty() ? null : out;
  }

  /** A text file: one document, its id the file name; empty is refused. */
  static List<Seq> referenceText(byte[] bytes, TokenizerSpec spec, String name) {
    String text = decode(bytes);
    if (text == null || text.isEmpty()) {
      return null;
    }
    int[] tokens = tokens(spec, text);
    return tokens == null ? null : List.of(new Seq(name, tokens, null));
  }

  /** The real tokenizer over the whole text at once, or null when it refuses a character. */
  static int[] tokens(TokenizerSpec spec, CharSequence text) {
    Tokenizer tokenizer = spec.newTokenizer();
    TokenBuffer out = new TokenBuffer();
    try {
      tokenizer.feed(text, 0, text.length(), out);
    } catch (InvalidSymbolException e) {
      return null;
    }
    tokenizer.finish(out);
    return out.take(out.size());
  }

  /** Strict UTF-8 without a leading byte-order mark, or null when the bytes are not UTF-8. */
  static String decode(byte[] bytes) {
    int from = bytes.length >= 3 && Arrays.equals(Arrays.copyOf(bytes, 3), BOM) ? 3 : 0;
    try {
      return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, from, bytes.length - from)).toString();
    } catch (CharacterCodingException e) {
      return null;
    }
  }

  /** The lines of a UTF-8 file as BufferedReader.readLine splits them, or null when it is not UTF-8. */
  static List<String> lines(byte[] bytes) {
    String text = decode(bytes);
    if (text == null) {
      return null;
    }
    List<String> lines = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == '\n' || c == '\r') {
        lines.add(text.substring(start, i));
        if (c == '\r' && i + 1 < text.length() && text.charAt(i + 1) == '\n') {
          i++;
        }
        start = i + 1;
      }
    }
    if (start < text.length()) {
      lines.add(text.substring(start));
    }
    return lines;
  }

  // ---------------------------------------------------------------- generators

  private static final String ID_CHARS = "ABCXYZabcxyz0189_.|-";
  private static final String BASES = "ACGTACGTACGTNacgtnRY";

  static String word(Random random, String alphabet, int max) {
    StringBuilder s = new StringBuilder();
    for (int i = 0, n = 1 + random.nextInt(max); i < n; i++) {
      s.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return s.toString();
  }

  /** A FASTA file; {@code indexable}: each record has one line length, no blank lines inside. */
  static byte[] fasta(Random random, boolean indexable) {
    String eol = random.nextInt(3) == 0 ? "\r\n" : "\n";
    StringBuilder s = new StringBuilder();
    for (int r = 0, records = 1 + random.nextInt(4); r < records; r++) {
      s.append('>').append(word(random, ID_CHARS, 6)).append(r); // distinct ids
      if (random.nextBoolean()) {
        s.append(' ').append(word(random, ID_CHARS + " >=é", 12));
      }
      s.append(eol);
      int length = random.nextInt(5) == 0 ? 0 : random.nextInt(250);
      int width = 1 + random.nextInt(70);
      for (int b = 0; b < length; b++) {
        s.append(BASES.charAt(random.nextInt(BASES.length())));
        if ((b + 1) % width == 0 || b == length - 1) {
          s.append(eol);
          if (!indexable && random.nextInt(10) == 0) {
            s.append(eol);
            width = 1 + random.nextInt(70);
          }
        }
      }
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] jsonl(Random random) {
    StringBuilder s = new StringBuilder();
    for (int r = 0, records = 1 + random.nextInt(6); r < records; r++) {
      ObjectNode node = JSON.createObjectNode();
      if (random.nextBoolean()) {
        node.put("id", word(random, ID_CHARS + "é\"\\", 8) + r);
      } else {
        node.put("id", random.nextInt(1000) * 10 + r);
      }
      StringBuilder text = new StringBuilder();
      for (int w = 0, words = random.nextInt(20); w < words; w++) {
        text.append(word(random, "abcdeéßΩ0123 ,.!\n\"", 10)).append(' ');
      }
      node.put("text", text.toString());
      if (random.nextBoolean()) {
        node.put("year", 1790 + random.nextInt(200));
      }
      s.append(node).append(random.nextInt(4) == 0 ? "\r\n" : "\n");
      if (random.nextInt(8) == 0) {
        s.append('\n');
      }
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  static byte[] text(Random random) {
    int length = random.nextInt(15) == 0 ? 70_000 + random.nextInt(1000) : random.nextInt(400);
    StringBuilder s = new StringBuilder();
    String alphabet = "abc xyz ΩéßACGT\n\r\t.,😀";
    while (s.length() < length) {
      int cp = alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0,
          alphabet.length()))));
      s.appendCodePoint(cp);
    }
    return s.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---------------------------------------------------------------- mutations

  private static final byte[] INTERESTING = ">\n\r ACGTN#\"{}:é".getBytes(StandardCharsets.UTF_8);

  /** Zero to three damages of the uncompressed text, each of a kind users' files have. */
  static byte[] mutate(Random random, byte[] data, boolean fasta) {
    byte[] out = data;
    for (int m = 0, n = random.nextInt(4); m < n && out.length > 0; m++) {
      int at = random.nextInt(out.length);
      switch (random.nextInt(7)) {
        case 0 -> { // a byte flipped, to anything or to a character that matters
          out = out.clone();
          out[at] = random.nextBoolean() ? (byte) random.nextInt(256) : INTERESTING[random.nextInt(INTERESTING.length)];
        }
        case 1 -> out = Arrays.copyOf(out, at); // cut short
        case 2 -> out = splice(out, lineStart(out, at), lineEnd(out, at), new byte[0]); // a line lost
        case 3 -> { // a header (FASTA) or record (JSONL) line duplicated
          int start = lineStart(out, at);
          byte[] line = Arrays.copyOfRange(out, start, lineEnd(out, at));
          if (fasta && (line.length == 0 || line[0] != '>')) {
            line = (">" + word(random, ID_CHARS, 3) + "\n").getBytes(StandardCharsets.US_ASCII);
          }
          out = splice(out, start, start, line);
        }
        case 4 -> { // CRLF mixed in, or taken out
          int nl = indexOf(out, (byte) '\n', at);
          if (nl > 0 && out[nl - 1] == '\r') {
            out = splice(out, nl - 1, nl, new byte[0]);
          } else if (nl >= 0) {
            out = splice(out, nl, nl, new byte[] {'\r'});
          }
        }
        case 5 -> out = splice(out, 0, 0, BOM);
        default -> out = splice(out, lineStart(out, at), lineStart(out, at), new byte[] {'\n'}); // a blank line
      }
    }
    return out;
  }

  /** Compressed bytes cut short, a byte flipped, or (BGZF) the end-of-file block dropped. */
  static byte[] damageCompressed(Random random, byte[] bytes, boolean bgzf) {
    int kind = random.nextInt(bgzf ? 3 : 2);
    if (kind == 0) {
      return Arrays.copyOf(bytes, random.nextInt(bytes.length));
    }
    if (kind == 1) {
      byte[] out = bytes.clone();
      out[random.nextInt(out.length)] ^= (byte) (1 + random.nextInt(255));
      return out;
    }
    return Arrays.copyOf(bytes, bytes.length - 28);
  }

  private static int lineStart(byte[] b, int at) {
    int i = Math.min(at, b.length);
    while (i > 0 && b[i - 1] != '\n') {
      i--;
    }
    return i;
  }

  private static int lineEnd(byte[] b, int at) {
    int nl = indexOf(b, (byte) '\n', at);
    return nl < 0 ? b.length : nl + 1;
  }

  private static int indexOf(byte[] b, byte value, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == value) {
        return i;
      }
    }
    return -1;
  }

  private static byte[] splice(byte[] b, int from, int to, byte[] insert) {
    byte[] out = new byte[b.length - (to - from) + insert.length];
    System.arraycopy(b, 0, out, 0, from);
    System.arraycopy(insert, 0, out, from, insert.length);
    System.arraycopy(b, to, out, from + insert.length, b.length - to);
    return out;
  }

  // ---------------------------------------------------------------- containers

  static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    }
    return out.toByteArray();
  }

  byte[] bgzf(byte[] data, int blockSize) throws IOException {
    Path f = Files.createTempFile(tmp, "bgzf", ".gz");
    BgzfWriter.write(data, blockSize, f);
    byte[] bytes = Files.readAllBytes(f);
    Files.delete(f);
    return bytes;
  }

  static void write(Path file, byte[] text, boolean bgzf, int blockSize) throws IOException {
    if (bgzf) {
      BgzfWriter.write(text, blockSize, file);
    } else {
      Files.write(file, text);
    }
  }

  @Test
  void theReferenceItselfReadsAPlainFileAsTheReadersDo() throws Exception {
    // the reference is checked once against a hand-written expectation, so a bug in it cannot hide one in a reader
    byte[] fa = "\uFEFF>a x y\r\nAC\nGT\n\n>b\n".getBytes(StandardCharsets.UTF_8);
    List<Seq> ref = referenceFasta(fa, TokenizerSpec.dna(2, 1));
    assertEquals(2, ref.size());
    assertEquals("a", ref.get(0).id());
    assertArrayEquals(new int[] {1, 6, 11}, ref.get(0).tokens()); // AC CG GT
    assertEquals("{\"description\":\"x y\"}", ref.get(0).fields());
    assertEquals(0, ref.get(1).tokens().length);
    assertEquals(null, referenceFasta("AC\n>a\n".getBytes(StandardCharsets.US_ASCII), TokenizerSpec.dna(2, 1)));
    assertEquals(null, referenceJsonl("{\"id\": 1, \"text\": \"a\"} {}\n".getBytes(StandardCharsets.US_ASCII),
        TokenizerSpec.bytes()));
  }
}
