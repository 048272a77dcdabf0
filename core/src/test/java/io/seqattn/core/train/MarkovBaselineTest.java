package io.seqattn.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The Markov baseline against counts taken directly on base strings. */
class MarkovBaselineTest {
  private static int[] kmers(String bases, int k) {
    int[] ids = new int[bases.length() - k + 1];
    for (int p = 0; p < ids.length; p++) {
      int id = 0;
      for (int i = 0; i < k; i++) {
        int c = "ACGT".indexOf(bases.charAt(p + i));
        id = c < 0 || id < 0 ? 1 << (2 * k) : id * 4 + c;
      }
      ids[p] = id;
    }
    return ids;
  }

  private static String random(Random r, int n) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < n; i++) {
      s.append("ACGT".charAt(r.nextInt(10) < 4 ? 0 : r.nextInt(4)));
    }
    return s.toString();
  }

  @Test
  void basesComeBackFromTheirKmers() {
    assertArrayEquals(new byte[] {0, 1, 2, 3, 3, 0}, MarkovBaseline.bases(kmers("ACGTTA", 3), 3));
  }

  /** KT estimates of order 2 by direct string counts, scored at the same positions. */
  @Test
  void bitsPerBaseEqualDirectCounts() {
    Random r = new Random(5);
    String train = random(r, 3000);
    String held = random(r, 800);
    int k = 3;
    int order = 2;
    Map<String, Integer> counts = new HashMap<>();
    for (int b = order; b < train.length(); b++) {
      counts.merge(train.substring(b - order, b + 1), 1, Integer::sum);
    }
    double bits = 0;
    int n = 0;
    for (int b = k; b < held.length(); b++) { // the k-mer at b − k predicts base b
      String ctx = held.substring(b - order, b);
      double total = 0;
      for (char x : "ACGT".toCharArray()) {
        total += counts.getOrDefault(ctx + x, 0);
      }
      bits -= Math.log((counts.getOrDefault(ctx + held.charAt(b), 0) + 0.5) / (total + 2)) / Math.log(2);
      n++;
    }
    MarkovBaseline model = new MarkovBaseline(List.of(kmers(train, k)), k, 4);
    List<MarkovBaseline.Score> scores = model.score(List.of(kmers(held, k)));
    assertEquals(n, scores.get(order - 1).bases());
    assertEquals(bits / n, scores.get(order - 1).bitsPerBase(), 1e-12);
  }
}
