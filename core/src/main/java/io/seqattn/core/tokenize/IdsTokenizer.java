package io.seqattn.core.tokenize;

/**
 * Token ids already chosen upstream (a Hugging Face tokenizer run in Python, say), written as
 * decimal integers separated by whitespace or commas: {@code "17 4 902"} or {@code "17,4,902"}.
 * Each id must be in [0, vocabulary size); anything else is an error at the id's first digit, so
 * the reader can name the record, line and column. Numbers split across pieces are joined.
 */
public final class IdsTokenizer implements Tokenizer {
  private final int vocabSize;
  private long current;
  private boolean inNumber;

  public IdsTokenizer(int vocabSize) {
    if (vocabSize < 1) {
      throw new IllegalArgumentException("vocabulary size must be >= 1, got " + vocabSize);
    }
    this.vocabSize = vocabSize;
  }

  @Override
  public int vocabularySize() {
    return vocabSize;
  }

  @Override
  public void reset() {
    current = 0;
    inNumber = false;
  }

  @Override
  public void feed(CharSequence text, int from, int to, TokenBuffer out) {
    for (int i = from; i < to; i++) {
      char c = text.charAt(i);
      if (c >= '0' && c <= '9') {
        current = current * 10 + (c - '0');
        inNumber = true;
        if (current >= vocabSize) {
          throw new InvalidSymbolException("token id " + restOfNumber(text, i, to) + " is not below the vocabulary size "
              + vocabSize + " (the ids must come from the model's tokenizer)", c, i);
        }
      } else if (c == ',' || Character.isWhitespace(c)) {
        endNumber(out);
      } else {
        throw new InvalidSymbolException(c, i, "a decimal token id, whitespace or ','");
      }
    }
  }

  @Override
  public void finish(TokenBuffer out) {
    endNumber(out);
  }

  /** Ends the id being read, if one is. */
  private void endNumber(TokenBuffer out) {
    if (inNumber) {
      out.add((int) current);
      current = 0;
      inNumber = false;
    }
  }

  /** The id as written, for the message: the digits so far and the ones that follow in this piece. */
  private String restOfNumber(CharSequence text, int i, int to) {
    StringBuilder digits = new StringBuilder(Long.toString(current));
    for (int j = i + 1; j < to && Character.isDigit(text.charAt(j)) && digits.length() < 24; j++) {
      digits.append(text.charAt(j));
    }
    return digits.toString();
  }
}
