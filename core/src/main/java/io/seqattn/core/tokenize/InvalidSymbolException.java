package io.seqattn.core.tokenize;

/**
 * A character the tokenizer cannot accept. It carries the index within the piece that was fed, so
 * the reader that fed it can name the file, line and column.
 */
public final class InvalidSymbolException extends IllegalArgumentException {
  private final int index;
  private final char symbol;

  public InvalidSymbolException(char symbol, int index, String expected) {
    super("unexpected character " + describe(symbol) + " (expected " + expected + ")");
    this.symbol = symbol;
    this.index = index;
  }

  /** A symbol that is readable but not acceptable (a token id beyond the vocabulary), said by {@code message}. */
  public InvalidSymbolException(String message, char symbol, int index) {
    super(message);
    this.symbol = symbol;
    this.index = index;
  }

  /** Index of the offending character in the piece passed to {@link Tokenizer#feed}. */
  public int index() {
    return index;
  }

  public char symbol() {
    return symbol;
  }

  private static String describe(char c) {
    return c >= 0x21 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
  }
}
