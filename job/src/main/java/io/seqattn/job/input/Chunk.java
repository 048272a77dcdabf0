package io.seqattn.job.input;

/**
 * Tokens {@code [start, start + tokens.length)} of sequence {@code seqId}: chunk {@code index}.
 * Every chunk but a sequence's last holds exactly chunk-size tokens, so boundaries depend only on
 * the data and the chunk size. A sequence always has a chunk 0 (empty when it yields no tokens),
 * and chunk 0 carries the sequence's {@link SequenceInfo}; later chunks carry null.
 */
public record Chunk(String seqId, int index, long start, int[] tokens, SequenceInfo info) implements ReadItem {

  /** The same chunk placed {@code offset} positions later in its sequence (a continued sequence). */
  public Chunk shiftedBy(long offset) {
    return new Chunk(seqId, index, start + offset, tokens, info);
  }
}
