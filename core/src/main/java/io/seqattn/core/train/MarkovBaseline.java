package io.seqattn.core.train;

import java.util.ArrayList;
import java.util.List;

/**
 * Order-j Markov models of DNA (j = 1 … {@code maxOrder}), the baseline a DNA language model has
 * to beat: p(x_b | x_(b−j) … x_(b−1)) by the Krichevsky–Trofimov estimate (c(context, x) + ½) /
 * (c(context) + 2), counted over training sequences and scored in bits per base on held-out ones,
 * at exactly the positions the language model predicts ({@link NextTokenTargets#nextBase}).
 * Where the j bases before a target are not all known (the start of a sequence, an ambiguous
 * base), the longest known shorter context is used.
 *
 * <p>Sequences come as overlapping k-mer ids at stride 1 (last base least significant): the base
 * at b ≥ k − 1 is the last base of the k-mer at b − k + 1, the first k − 1 come from the first
 * k-mer, and a base whose k-mer is ambiguous counts as unknown.
 */
public final class MarkovBaseline {
  /** One order's held-out score. */
  public record Score(int order, double bitsPerBase, long bases) {}

  private final int k;
  private final int maxOrder;
  /** counts[j][context·4 + x] for order j (context: j bases, base-4, last base least significant). */
  private final long[][] counts;

  /** Counts every order over {@code train} (k-mer ids of each training sequence). */
  public MarkovBaseline(List<int[]> train, int k, int maxOrder) {
    if (maxOrder < 1 || maxOrder > 12) {
      throw new IllegalArgumentException("Markov orders must be 1..12, got " + maxOrder);
    }
    this.k = k;
    this.maxOrder = maxOrder;
    this.counts = new long[maxOrder + 1][];
    for (int j = 0; j <= maxOrder; j++) {
      counts[j] = new long[4 << (2 * j)];
    }
    for (int[] ids : train) {
      byte[] bases = bases(ids, k);
      for (int b = 0; b < bases.length; b++) {
        if (bases[b] < 0) {
          continue;
        }
        int context = 0;
        counts[0][bases[b]]++;
        for (int j = 1; j <= maxOrder && b - j >= 0 && bases[b - j] >= 0; j++) {
          context |= bases[b - j] << (2 * (j - 1));
          counts[j][context * 4 + bases[b]]++;
        }
      }
    }
  }

  /** Bits per base of every order 1 … maxOrder on {@code heldOut}, at the targets of each sequence. */
  public List<Score> score(List<int[]> heldOut) {
    double[] bits = new double[maxOrder + 1];
    long n = 0;
    for (int[] ids : heldOut) {
      byte[] bases = bases(ids, k);
      int[] targets = NextTokenTargets.nextBase(ids, k);
      for (int p = 0; p < ids.length; p++) {
        if (targets[p] < 0) {
          continue;
        }
        int b = p + k;
        n++;
        for (int order = 1; order <= maxOrder; order++) {
          bits[order] -= log2Probability(bases, b, targets[p], order);
        }
      }
    }
    List<Score> out = new ArrayList<>();
    for (int order = 1; order <= maxOrder; order++) {
      out.add(new Score(order, n == 0 ? Double.NaN : bits[order] / n, n));
    }
    return out;
  }

  /** The best (lowest bits per base) of {@code scores}. */
  public static Score best(List<Score> scores) {
    Score best = scores.get(0);
    for (Score s : scores) {
      if (s.bitsPerBase() < best.bitsPerBase()) {
        best = s;
      }
    }
    return best;
  }

  private double log2Probability(byte[] bases, int b, int x, int order) {
    int context = 0;
    int j = 0;
    while (j < order && b - j - 1 >= 0 && bases[b - j - 1] >= 0) {
      context |= bases[b - j - 1] << (2 * j);
      j++;
    }
    long[] c = counts[j];
    long total = c[context * 4] + c[context * 4 + 1] + c[context * 4 + 2] + c[context * 4 + 3];
    return Math.log((c[context * 4 + x] + 0.5) / (total + 2.0)) / Math.log(2);
  }

  /** The bases of a sequence of stride-1 k-mer ids: 0..3, or −1 where unknown. */
  static byte[] bases(int[] ids, int k) {
    if (ids.length == 0) {
      return new byte[0];
    }
    int plain = 1 << (2 * k);
    byte[] out = new byte[ids.length + k - 1];
    for (int b = 0; b < k - 1; b++) {
      out[b] = ids[0] >= 0 && ids[0] < plain ? (byte) ((ids[0] >> (2 * (k - 1 - b))) & 3) : -1;
    }
    for (int q = 0; q < ids.length; q++) {
      out[q + k - 1] = ids[q] >= 0 && ids[q] < plain ? (byte) (ids[q] & 3) : -1;
    }
    return out;
  }
}
