package io.seqattn.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
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
  void withoutDecayMergeCommutesAndEmptyIsTheIdentity() {
    Summary a = randomSummary();
    Summary b = randomSummary();
    assertEquals(Summary.MERGE.merge(a, b), Summary.MERGE.merge(b, a)); // two-operand sums commute exactly
    assertEquals(a, Summary.MERGE.merge(Summary.empty(2, 3, 4), a));
    assertEquals(a, Summary.MERGE.merge(a, Summary.empty(2, 3, 4)));
  }

  private Summary randomDecayed() {
    Summary plain = randomSummary();
    double[] logDecay = {-random.nextDouble(3.0), -random.nextDouble(0.1)};
    return new Summary(2, 3, 4, plain.tokens(), logDecay, plain.s(), plain.z());
  }

  /** A decayed summary held at a random log-scale c in [−20, 20]: the same statistics, scaled by e^(−c). */
  private Summary randomScaled() {
    Summary d = randomDecayed();
    double[] c = {random.nextDouble(-20, 20), random.nextDouble(-20, 20)};
    double[] s = d.s().clone();
    double[] z = d.z().clone();
    for (int h = 0; h < 2; h++) {
      for (int i = h * 12; i < (h + 1) * 12; i++) {
        s[i] *= Math.exp(-c[h]);
      }
      for (int i = h * 3; i < (h + 1) * 3; i++) {
        z[i] *= Math.exp(-c[h]);
      }
    }
    return new Summary(2, 3, 4, d.tokens(), d.logDecay(), s, z, c);
  }

  /** Relative closeness: values here span e^±20, so the tolerance scales with each array's magnitude. */
  private static void assertRelativelyClose(double[] expected, double[] actual) {
    ChunkKernelTest.assertRelativelyClose(expected, actual, 1e-12);
  }

  @RepeatedTest(20)
  void logScaledMergeRepresentsTheUnscaledMergeAndIsAssociative() {
    Summary a = randomScaled();
    Summary b = randomScaled();
    Summary c = randomScaled();
    Summary merged = Summary.MERGE.merge(Summary.MERGE.merge(a, b), c);
    Summary plain = Summary.MERGE.merge(Summary.MERGE.merge(unscaledOf(a), unscaledOf(b)), unscaledOf(c));
    assertRelativelyClose(plain.s(), merged.unscaled()[0]);
    assertRelativelyClose(plain.z(), merged.unscaled()[1]);
    Summary right = Summary.MERGE.merge(a, Summary.MERGE.merge(b, c));
    assertRelativelyClose(merged.unscaled()[0], right.unscaled()[0]);
    for (int h = 0; h < 2; h++) {
      assertTrue(Math.abs(merged.logScale()[h]) <= 20 + 1e-9, "the scale stays that of an operand: "
          + merged.logScale()[h]);
    }
  }

  @Test
  void aStretchWithoutKeysIsTheIdentityAtAnyScale() {
    Summary a = randomScaled();
    Summary none = new Summary(2, 3, 4, 5, new double[2], new double[24], new double[6],
        new double[] {Double.NEGATIVE_INFINITY, Double.NEGATIVE_INFINITY});
    Summary merged = Summary.MERGE.merge(none, a);
    assertArrayEquals(a.s(), merged.s());
    assertArrayEquals(a.logScale(), merged.logScale());
    Summary both = Summary.MERGE.merge(none, none);
    assertEquals(Double.NEGATIVE_INFINITY, both.logScale()[0]);
    assertTrue(java.util.Arrays.stream(both.s()).allMatch(v -> v == 0), "no NaN from e^(−∞ − (−∞))");
  }

  @Test
  void statisticsBeyondDoubleAreOnlyAvailableScaled() {
    Summary huge = new Summary(1, 1, 1, 3, new double[1], new double[] {2.0}, new double[] {1.0},
        new double[] {800.0}); // e^800 overflows double
    assertEquals(null, huge.unscaled());
    Summary fine = new Summary(1, 1, 1, 3, new double[1], new double[] {2.0}, new double[] {1.0},
        new double[] {-3.0});
    assertEquals(2.0 * Math.exp(-3.0), fine.unscaled()[0][0]);
  }

  private static Summary unscaledOf(Summary x) {
    double[][] u = x.unscaled();
    return new Summary(x.heads(), x.m(), x.dHead(), x.tokens(), x.logDecay(), u[0], u[1]);
  }

  @RepeatedTest(20)
  void decayedMergeIsAssociative() {
    Summary a = randomDecayed();
    Summary b = randomDecayed();
    Summary c = randomDecayed();
    Summary left = Summary.MERGE.merge(Summary.MERGE.merge(a, b), c);
    Summary right = Summary.MERGE.merge(a, Summary.MERGE.merge(b, c));
    assertClose(left.s(), right.s());
    assertClose(left.z(), right.z());
    assertClose(left.logDecay(), right.logDecay());
  }

  @Test
  void decayedMergeIsNotCommutative() {
    assertFalse(Summary.MERGE.isCommutative());
    Summary a = randomDecayed();
    Summary b = randomDecayed();
    assertNotEquals(Summary.MERGE.merge(a, b), Summary.MERGE.merge(b, a));
  }

  @Test
  void mergeAppliesTheRightDecayToTheLeftState() {
    // (ℓ1, S1) ⊕ (ℓ2, S2) = (ℓ1 + ℓ2, e^ℓ2 S1 + S2)
    Summary a = new Summary(1, 1, 1, 2, new double[] {Math.log(0.5)}, new double[] {8}, new double[] {4});
    Summary b = new Summary(1, 1, 1, 1, new double[] {Math.log(0.25)}, new double[] {1}, new double[] {1});
    Summary ab = Summary.MERGE.merge(a, b);
    assertEquals(8 * 0.25 + 1, ab.s()[0], 1e-15);
    assertEquals(4 * 0.25 + 1, ab.z()[0], 1e-15);
    assertEquals(Math.log(0.125), ab.logDecay()[0], 1e-15);
    assertThrows(IllegalArgumentException.class,
        () -> new Summary(1, 1, 1, 1, new double[] {0.1}, new double[] {1}, new double[] {1}));
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
