package io.seqattn.core.mixer;

/**
 * What the engine must do across a sequence's chunks for a {@link TokenMixer}, between summarizing
 * every chunk (pass 1) and reading every chunk out (pass 2). The plan switches over these
 * exhaustively, so a new kind shows the compiler every place that must provide it.
 */
public enum CrossChunk {
  /**
   * Every chunk is read against the merge of all of its sequence's summaries, in chunk order: one
   * ordered reduction per sequence, its result handed to each chunk.
   */
  REDUCTION,
  /**
   * Every chunk is read against the merge of the summaries before it (none for chunk 0): an
   * exclusive prefix scan in chunk order. The merge of all of them is the sequence's final state.
   */
  ORDERED_SCAN
}
