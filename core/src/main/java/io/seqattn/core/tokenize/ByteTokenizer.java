package io.seqattn.core.tokenize;

/**
 * One token per byte of the text's UTF-8 encoding (ids 0..255). Surrogate pairs split across
 * pieces are joined; an unpaired surrogate is encoded as U+FFFD, the
 * Unicode replacement character (where {@code String.getBytes} would write '?').
 */
public final class ByteTokenizer implements Tokenizer {

  public static final int VOCAB_SIZE = 256;
  private static final int REPLACEMENT = 0xFFFD;

  private char pendingHigh;

  @Override
  public int vocabularySize() {
    return VOCAB_SIZE;
  }

  @Override
  public void reset() {
    pendingHigh = 0;
  }

  @Override
  public void feed(CharSequence text, int from, int to, TokenBuffer out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (pendingHigh != 0) {
        char high = pendingHigh;
        pendingHigh = 0;
        if (Character.isLowSurrogate(c)) {
          encode(Character.toCodePoint(high, c), out);
          continue;
        }
        encode(REPLACEMENT, out);
      }
      if (Character.isHighSurrogate(c)) {
        pendingHigh = c;
      } else if (Character.isLowSurrogate(c)) {
        encode(REPLACEMENT, out);
      } else {
        encode(c, out);
      }
    }
  }

  @Override
  public void finish(TokenBuffer out) {
    if (pendingHigh != 0) {
      pendingHigh = 0;
      encode(REPLACEMENT, out);
    }
  }

  private static void encode(int cp, TokenBuffer out) {
    if (cp < 0x80) {
      out.add(cp);
    } else if (cp < 0x800) {
      out.add(0xC0 | (cp >>> 6));
      out.add(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
      out.add(0xE0 | (cp >>> 12));
      out.add(0x80 | ((cp >>> 6) & 0x3F));
      out.add(0x80 | (cp & 0x3F));
    } else {
      out.add(0xF0 | (cp >>> 18));
      out.add(0x80 | ((cp >>> 12) & 0x3F));
      out.add(0x80 | ((cp >>> 6) & 0x3F));
      out.add(0x80 | (cp & 0x3F));
    }
  }
}
