package io.seqattn.core.attention;

import java.io.Serializable;
import java.util.Map;
import java.util.TreeMap;

/**
 * Merges the positioned summaries of one sequence's chunks in chunk order, whatever order they
 * arrive in — what an aggregate needs when the engine delivers and combines rows in any order.
 * The result is always the left fold s₀ ⊕ s₁ ⊕ … in position order, the association the CLI job's
 * ordered fold uses, so it is bitwise the job's state and correct for non-commutative (decayed)
 * summaries.
 *
 * <p>Summaries that cannot join the fold yet wait in a map by start position; the fold advances as
 * soon as the next one is present. The fold starts at position 0 (a sequence's first chunk) when
 * it is seen, else at the smallest start at the end (a continued sequence). Memory is O(1) when
 * chunks arrive in order and grows with the number waiting otherwise. Mutable: {@link #add},
 * {@link #addAll}; {@link #result} does not modify it.
 */
public final class ChunkOrderFold implements Serializable {
  private String fingerprint;
  /** The fold of the chunks from position 0 up to {@link #foldEnd}, or null before chunk 0 arrives. */
  private Summary fold;
  private long foldEnd;
  private final TreeMap<Long, Summary> waiting = new TreeMap<>();

  public void add(SummaryCodec.Positioned p) {
    if (fingerprint == null) {
      fingerprint = p.fingerprint();
    } else if (!fingerprint.equals(p.fingerprint())) {
      throw new IllegalArgumentException("cannot merge summaries of different models (" + fingerprint + " and "
          + p.fingerprint() + ")");
    }
    if (p.start() == 0 && fold == null) {
      fold = p.summary();
      foldEnd = p.summary().tokens();
    } else if (waiting.put(p.start(), p.summary()) != null || (fold != null && p.start() < foldEnd)) {
      throw new IllegalArgumentException("two summaries cover position " + p.start() + " of one sequence (the same "
          + "chunk twice, or overlapping chunks)");
    }
    advance();
  }

  public void addAll(ChunkOrderFold other) {
    if (other.fold != null) {
      add(new SummaryCodec.Positioned(other.fingerprint, 0, other.fold));
    }
    for (Map.Entry<Long, Summary> e : other.waiting.entrySet()) {
      add(new SummaryCodec.Positioned(other.fingerprint, e.getKey(), e.getValue()));
    }
  }

  private void advance() {
    while (fold != null && !waiting.isEmpty() && waiting.firstKey() == foldEnd) {
      Summary next = waiting.pollFirstEntry().getValue();
      fold = Summary.MERGE.merge(fold, next);
      foldEnd += next.tokens();
    }
  }

  /**
   * The merged summary of the whole contiguous run, or null when nothing was added.
   *
   * @throws IllegalArgumentException when the summaries leave a gap (a chunk is missing)
   */
  public SummaryCodec.Positioned result() {
    if (fold == null && waiting.isEmpty()) {
      return null;
    }
    Summary acc = fold;
    long start = 0;
    long end = foldEnd;
    TreeMap<Long, Summary> rest = new TreeMap<>(waiting);
    if (acc == null) {
      Map.Entry<Long, Summary> first = rest.pollFirstEntry();
      acc = first.getValue();
      start = first.getKey();
      end = start + acc.tokens();
    }
    for (Map.Entry<Long, Summary> e : rest.entrySet()) {
      if (e.getKey() != end) {
        throw new IllegalArgumentException("summaries leave a gap: positions " + end + " to " + e.getKey()
            + " of the sequence are not covered (is a chunk missing?)");
      }
      acc = Summary.MERGE.merge(acc, e.getValue());
      end += e.getValue().tokens();
    }
    return new SummaryCodec.Positioned(fingerprint, start, acc);
  }
}
