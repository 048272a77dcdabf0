package io.seqattn.job.input;

/**
 * Tokens {@code [start, start + tokens.length)} of sequence {@code seqId}: chunk {@code index}.
 * Every chunk but a sequence's last holds exactly chunk-size tokens, so boundaries depend only on
 * the data and the chunk size. A sequence always has a chunk 0 (empty when it yields no tokens),
 * and chunk 0 carries the sequence's {@link SequenceInfo}; later chunks carry null.
 * {@code softMasked} has one flag per token when the run keeps the soft mask, else it is null.
 */
public record Chunk(String seqId, int index, long start, int[] tokens, SequenceInfo info, boolean[] softMasked)
    implements ReadItem {

  /** A chunk without soft-mask flags. */
  public Chunk(String seqId, int index, long start, int[] tokens, SequenceInfo info) {
    this(seqId, index, start, tokens, info, null);
  }

  /** The same chunk placed {@code offset} positions later in its sequence (a continued sequence). */
  public Chunk shiftedBy(long offset) {
    return new Chunk(seqId, index, start + offset, tokens, info, softMasked);
  }

  /** Positions of this chunk that hold no token (k-mers of N runs, when N runs are skipped). */
  public long absentTokens() {
    long n = 0;
    for (int t : tokens) {
      if (t == io.seqattn.core.tokenize.Tokenizer.ABSENT) {
        n++;
      }
    }
    return n;
  }

  /** Tokens flagged as soft-masked (0 when the run does not keep the soft mask). */
  public long softMaskedTokens() {
    long n = 0;
    if (softMasked != null) {
      for (boolean m : softMasked) {
        if (m) {
          n++;
        }
      }
    }
    return n;
  }
}
