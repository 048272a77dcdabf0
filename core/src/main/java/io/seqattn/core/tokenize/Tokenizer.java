package io.seqattn.core.tokenize;

/**
 * Turns one sequence's text into token ids, streaming: the text arrives in pieces (lines of a
 * FASTA record, buffers of a document) and tokens are appended to a {@link TokenBuffer} as soon
 * as they are determined. Token p of a sequence is always the p-th id appended after
 * {@link #reset()}, whatever the piece boundaries, so positions are global by construction.
 * Instances hold per-sequence state and are not thread-safe.
 */
public interface Tokenizer {

  /**
   * The id of a position that keeps its place in the sequence but holds no token (a k-mer inside
   * an N run read with N runs skipped): positions after it are unchanged, and attention gives it no
   * key and no output.
   */
  int ABSENT = -1;

  /** Number of distinct ids this tokenizer can emit; every id is in [0, vocabularySize). */
  int vocabularySize();

  /** Starts a new sequence, forgetting everything fed before. */
  void reset();

  /**
   * Feeds {@code text[from, to)}, the next piece of the current sequence.
   *
   * @throws InvalidSymbolException naming the offending index in {@code text}
   */
  void feed(CharSequence text, int from, int to, TokenBuffer out);

  /** Ends the current sequence, appending any token held back for lack of lookahead. */
  void finish(TokenBuffer out);
}
