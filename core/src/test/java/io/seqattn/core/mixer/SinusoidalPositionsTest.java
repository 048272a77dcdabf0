package io.seqattn.core.mixer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SinusoidalPositionsTest {

  /**
   * Each element is a float32 dot product with two nonzero terms, each a product of float32-rounded
   * values in [−1, 1]: at most about 4 float ulps at 1 (≈ 2.4e-7). 5e-7 bounds it while any wrong
   * sign, phase or frequency is off by orders of magnitude more.
   */
  static final double ALLOWED_ERROR = 5e-7;

  @Test
  void matchesTheFormulaAtAnyStartAndLength() {
    int d = 64;
    SinusoidalPositions pe = new SinusoidalPositions(d);
    long[] starts = {0, 1, 4095, 65_536, 17_718_849, 249_999_000};
    int[] lengths = {1, 100, 3000, 700, 5000, 64};
    for (int c = 0; c < starts.length; c++) {
      float[] got = pe.encode(starts[c], lengths[c]).data().asFloat();
      double worst = 0;
      for (int r = 0; r < lengths[c]; r++) {
        double p = starts[c] + r;
        for (int i = 0; i < d / 2; i++) {
          double angle = p / Math.pow(10000.0, 2.0 * i / d);
          worst = Math.max(worst, Math.abs(got[r * d + 2 * i] - Math.sin(angle)));
          worst = Math.max(worst, Math.abs(got[r * d + 2 * i + 1] - Math.cos(angle)));
        }
      }
      assertTrue(worst <= ALLOWED_ERROR, "start " + starts[c] + ": max error " + worst);
    }
  }
}
