package io.seqattn.core.features;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.features.FeatureMaps;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class VectorEluTest {

  /**
   * Cephes' expf polynomial is within about 1 ulp; with the rounding of the final addition 2 ulps
   * bound it. Results below the smallest normal float are flushed to 0, an absolute error under
   * {@link Float#MIN_NORMAL}.
   */
  static final int ALLOWED_ULPS = 2;

  @Test
  void theTestJvmHasTheVectorApi() {
    assertTrue(VectorElu.AVAILABLE, "the tests run with conf/jvm-options, which add jdk.incubator.vector");
  }

  @Test
  void matchesTheFormulaAtEveryLengthAndValue() {
    SplittableRandom random = new SplittableRandom(5);
    for (int n : new int[] {1, 7, 8, 9, 15, 16, 17, 1000, 65_536 * 3 + 5}) {
      float[] x = new float[n];
      for (int i = 0; i < n; i++) {
        x[i] = (float) (random.nextGaussian() * 4);
      }
      float[] special = {0f, -0f, -17.5f, -88f, -104f, -200f, 1e-30f, -1e-30f, 30f, Float.MAX_VALUE};
      System.arraycopy(special, 0, x, 0, Math.min(n, special.length));
      INDArray a = Nd4j.create(x, new long[] {n}, DataType.FLOAT);
      assertTrue(VectorElu.accepts(a));
      FeatureMaps.ELU.applyInPlace(a);
      float[] got = a.data().asFloat();
      for (int i = 0; i < n; i++) {
        float expected = (float) FeatureMaps.ELU.apply(x[i]);
        float allowed = expected < Float.MIN_NORMAL ? Float.MIN_NORMAL : ALLOWED_ULPS * Math.ulp(expected);
        assertTrue(Math.abs(got[i] - expected) <= allowed,
            "n " + n + ", x " + x[i] + ": " + got[i] + " vs " + expected);
      }
    }
  }

  /** The same values give the same bits whether the loop runs interpreted, in C1 or in C2. */
  @Test
  void resultsDoNotDependOnHowWarmTheJitIs() {
    float[] x = new float[4099];
    SplittableRandom random = new SplittableRandom(6);
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 4);
    }
    float[] first = null;
    for (int run = 0; run < 3000; run++) {
      INDArray a = Nd4j.create(x, new long[] {x.length}, DataType.FLOAT);
      FeatureMaps.ELU.applyInPlace(a);
      float[] got = a.data().asFloat();
      if (first == null) {
        first = got;
      } else if (run % 100 == 0 || run == 2999) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(first, got, "run " + run);
      }
    }
  }

  @Test
  void nanStaysNanAndInfinitiesAreLimits() {
    INDArray a = Nd4j.createFromArray(Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY);
    FeatureMaps.ELU.applyInPlace(a);
    assertTrue(Float.isNaN(a.getFloat(0)));
    assertEquals(0f, a.getFloat(1));
    assertEquals(Float.POSITIVE_INFINITY, a.getFloat(2));
  }

  @Test
  void viewsTakeTheNd4jPathWithTheSameResult() {
    INDArray whole = Nd4j.randn(DataType.FLOAT, 300, 10).muli(3);
    INDArray wide = Nd4j.zeros(DataType.FLOAT, 300, 20);
    INDArray view = wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 10));
    view.assign(whole);
    assertFalse(VectorElu.accepts(view));
    FeatureMaps.ELU.applyInPlace(whole);
    FeatureMaps.ELU.applyInPlace(view);
    float[] a = whole.data().asFloat();
    float[] b = view.dup().data().asFloat();
    for (int i = 0; i < a.length; i++) {
      assertTrue(Math.abs(a[i] - b[i]) <= 2 * ALLOWED_ULPS * Math.ulp(a[i]), i + ": " + a[i] + " vs " + b[i]);
    }
    assertEquals(0f, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(10, 20)).sumNumber().floatValue());
  }
}
