package io.seqattn.core.tokenize;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Hashed words: a word is a maximal run of letters and digits (Unicode), lower-cased in the root
 * locale; its id is murmur3_x86_32 of its UTF-8 bytes with seed {@value #SEED}, reduced
 * non-negatively modulo vocab_size — the hashing trick, so no vocabulary file is needed.
 * Punctuation and white space separate words and produce no token.
 */
public final class WordHashTokenizer implements Tokenizer {

  public static final int SEED = 42;

  private final int vocabSize;
  private final StringBuilder word = new StringBuilder();

  public WordHashTokenizer(int vocabSize) {
    if (vocabSize < 2) {
      throw new IllegalArgumentException("vocab_size must be >= 2, got " + vocabSize);
    }
    this.vocabSize = vocabSize;
  }

  @Override
  public int vocabularySize() {
    return vocabSize;
  }

  @Override
  public void reset() {
    word.setLength(0);
  }

  @Override
  public void feed(CharSequence text, int from, int to, TokenBuffer out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      boolean wordChar = Character.isLetterOrDigit(c) || Character.isSurrogate(c);
      if (wordChar) {
        word.append(c);
      } else if (word.length() > 0) {
        flush(out);
      }
    }
  }

  @Override
  public void finish(TokenBuffer out) {
    if (word.length() > 0) {
      flush(out);
    }
  }

  /** The id of one already-separated word. */
  public int idOf(String w) {
    byte[] utf8 = w.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    return Math.floorMod(Murmur3.hash32(utf8, SEED), vocabSize);
  }

  private void flush(TokenBuffer out) {
    out.add(idOf(word.toString()));
    word.setLength(0);
  }
}
