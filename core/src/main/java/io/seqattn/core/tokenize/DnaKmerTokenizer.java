package io.seqattn.core.tokenize;

/**
 * Overlapping k-mers of a nucleotide sequence. Bases A, C, G, T (any case) are 0..3 and a k-mer's
 * id is its base-4 number, first base most significant; a k-mer containing any other IUPAC code
 * (N, R, Y, U, …) gets the single id 4^k. With stride s, token p starts at base p·s, so a sequence
 * of L ≥ k bases gives ⌊(L−k)/s⌋ + 1 tokens and a shorter one gives none. ASCII white space
 * (line breaks, spaces, tabs) is not part of a sequence and is skipped; any other character that
 * is not an IUPAC nucleotide letter is rejected.
 *
 * <p>Two reading options for real genome files, neither part of the model: with {@code skipN}, a
 * k-mer containing N (any case) is {@link Tokenizer#ABSENT} instead of 4^k, so an N run (an
 * assembly gap) contributes nothing while every later k-mer keeps its position; with
 * {@code flagSoftMask}, each token carries a flag that is true when any of its bases is lowercase
 * (soft-masked repeats, as RepeatMasker writes them). Case never changes the id.
 */
public final class DnaKmerTokenizer implements Tokenizer {

  private static final byte INVALID = -1;
  private static final byte AMBIGUOUS = 4;
  private static final byte SKIP = 5;
  private static final byte[] CODES = new byte[128];

  static {
    java.util.Arrays.fill(CODES, INVALID);
    String acgt = "ACGT";
    for (int i = 0; i < 4; i++) {
      CODES[acgt.charAt(i)] = (byte) i;
      CODES[Character.toLowerCase(acgt.charAt(i))] = (byte) i;
    }
    for (char c : " \t\n\r\f\u000b".toCharArray()) {
      CODES[c] = SKIP;
    }
    for (char c : "RYSWKMBDHVNU".toCharArray()) {
      CODES[c] = AMBIGUOUS;
      CODES[Character.toLowerCase(c)] = AMBIGUOUS;
    }
  }

  /** What a nucleotide sequence may contain, as said in error messages. */
  public static final String EXPECTED = "an IUPAC nucleotide code: A C G T U R Y S W K M B D H V N";

  /** Whether {@code c} is an IUPAC nucleotide letter (either case). */
  public static boolean isNucleotideCode(char c) {
    return c < 128 && CODES[c] >= 0 && CODES[c] <= AMBIGUOUS;
  }

  private final int k;
  private final int stride;
  private final int mask;
  private final int ambiguousId;
  private final boolean skipN;
  private final boolean flagSoftMask;

  private long basesSeen;
  private long lastAmbiguous;
  private long lastN;
  private long lastLowercase;
  private int code;

  public DnaKmerTokenizer(int k, int stride) {
    this(k, stride, false, false);
  }

  /**
   * @param skipN k-mers containing N become {@link Tokenizer#ABSENT}
   * @param flagSoftMask tokens carry a flag: any base lowercase
   */
  public DnaKmerTokenizer(int k, int stride, boolean skipN, boolean flagSoftMask) {
    if (k < 1 || k > 15 || stride < 1) {
      throw new IllegalArgumentException("need 1 <= k <= 15 and stride >= 1, got k=" + k + " stride=" + stride);
    }
    this.k = k;
    this.stride = stride;
    this.mask = (1 << (2 * k)) - 1;
    this.ambiguousId = 1 << (2 * k);
    this.skipN = skipN;
    this.flagSoftMask = flagSoftMask;
    reset();
  }

  @Override
  public int vocabularySize() {
    return ambiguousId + 1;
  }

  @Override
  public void reset() {
    basesSeen = 0;
    lastAmbiguous = -k;
    lastN = -k;
    lastLowercase = -k;
    code = 0;
  }

  @Override
  public void feed(CharSequence text, int from, int to, TokenBuffer out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      byte base = c < 128 ? CODES[c] : INVALID;
      if (base == INVALID) {
        throw new InvalidSymbolException(c, i, EXPECTED);
      }
      if (base == SKIP) {
        continue;
      }
      long b = basesSeen++;
      if (base == AMBIGUOUS) {
        lastAmbiguous = b;
        if (c == 'N' || c == 'n') {
          lastN = b;
        }
        code = (code << 2) & mask;
      } else {
        code = ((code << 2) | base) & mask;
      }
      if (c >= 'a') {
        lastLowercase = b;
      }
      long kmerStart = b - k + 1;
      if (kmerStart >= 0 && kmerStart % stride == 0) {
        int id = skipN && b - lastN < k ? ABSENT : b - lastAmbiguous < k ? ambiguousId : code;
        if (flagSoftMask) {
          out.add(id, b - lastLowercase < k);
        } else {
          out.add(id);
        }
      }
    }
  }

  @Override
  public void finish(TokenBuffer out) {
    // every k-mer is emitted as soon as its last base arrives
  }

  /** Number of tokens a sequence of {@code length} bases yields. */
  public long tokenCount(long length) {
    return length < k ? 0 : (length - k) / stride + 1;
  }
}
