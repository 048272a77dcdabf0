package io.seqattn.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class SummaryTest {

  /**
   * Reassociating a sum of three doubles changes it by at most two roundings; entries are bounded
   * by 3e3, so the allowed difference is a few ulps of that bound.
   */
  static final double ALLOWED_ERROR = 4 * Math.ulp(3e3);

  private final SplittableRandom random = new SplittableRandom(2024);

  private Summary randomSummary() {
    double[] s = random.doubles(2 * 3 * 4, -1e3, 1e3).toArray();
    double[] z = random.doubles(2 * 3, 0, 1e3).toArray();
    return new Summary(2, 3, 4, random.nextInt(1000), s, z);
  }

  @RepeatedTest(20)
  void mergeIsAssociative() {
    Summary a = randomSummary();
    Summary b = randomSummary();
    Summary c = randomSummary();
    Summary left = Summary.MERGE.merge(Summary.MERGE.merge(a, b), c);
    Summary right = Summary.MERGE.merge(a, Summary.MERGE.merge(b, c));
    assertEquals(left.tokens(), right.tokens());
    assertClose(left.s(), right.s());
    assertClose(left.z(), right.z());
  }

  @RepeatedTest(5)
  void mergeIsCommutativeAndEmptyIsTheIdentity() {
    Summary a = randomSummary();
    Summary b = randomSummary();
    assertTrue(Summary.MERGE.isCommutative());
    assertEquals(Summary.MERGE.merge(a, b), Summary.MERGE.merge(b, a)); // two-operand sums commute exactly
    assertEquals(a, Summary.MERGE.merge(Summary.empty(2, 3, 4), a));
    assertEquals(a, Summary.MERGE.merge(a, Summary.empty(2, 3, 4)));
  }

  @Test
  void mergeDoesNotModifyItsInputs() {
    Summary a = randomSummary();
    Summary b = randomSummary();
    double[] aS = a.s().clone();
    double[] bZ = b.z().clone();
    Summary merged = Summary.MERGE.merge(a, b);
    assertArrayEquals(aS, a.s());
    assertArrayEquals(bZ, b.z());
    assertNotSame(a.s(), merged.s());
  }

  @Test
  void differentShapesDoNotMerge() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Summary.MERGE.merge(Summary.empty(2, 3, 4), Summary.empty(2, 4, 4)));
    assertTrue(e.getMessage().contains("different shapes"), e.getMessage());
  }

  @Test
  void headAccessorsFollowTheDocumentedLayout() {
    double[] s = new double[2 * 2 * 3];
    for (int i = 0; i < s.length; i++) {
      s[i] = i;
    }
    Summary summary = new Summary(2, 2, 3, 5, s, new double[] {1, 2, 3, 4});
    assertArrayEquals(new double[] {6, 7, 8, 9, 10, 11}, summary.sOfHead(1));
    assertArrayEquals(new double[] {3, 4}, summary.zOfHead(1));
  }

  private static void assertClose(double[] expected, double[] actual) {
    for (int i = 0; i < expected.length; i++) {
      assertTrue(Math.abs(expected[i] - actual[i]) <= ALLOWED_ERROR,
          "element " + i + ": " + expected[i] + " vs " + actual[i]);
    }
  }
}
