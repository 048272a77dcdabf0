package io.seqattn.core.mixer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.tokenize.Tokenizer;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

class TokenProjectionTest {

  static final int VOCAB = 65;
  static final int D_MODEL = 64;

  /**
   * Both parts are float32 dot products of 64 terms (E·W once per token id, PE(r)·(Rot(s)·W) per
   * chunk) of values up to about 1: a few 1e-7 of the largest |x·W| each, rounding included. 2e-6
   * bounds them; a wrong row, phase or rotation sign is off by order 1.
   */
  static final double ALLOWED_ERROR = 2e-6;

  @Test
  void equalsTheDoublePrecisionProjectionOfEmbeddingPlusPosition() {
    SplittableRandom random = new SplittableRandom(3);
    float[] e = uniform(random, VOCAB * D_MODEL);
    int width = 33;
    float[] w = uniform(random, D_MODEL * width);
    TokenProjection projection = new TokenProjection(matrix(e), w, width, new SinusoidalPositions(D_MODEL));
    for (long start : new long[] {0, 4095, 40_000_000, 249_999_000}) {
      int[] tokens = tokens(random, 3000);
      INDArray out = Nd4j.createUninitialized(DataType.FLOAT, tokens.length, width);
      projection.project(tokens, start, out);
      assertClose(reference(e, w, width, tokens, start, true), out.data().asFloat(), "start " + start);
    }
  }

  @Test
  void onesColumnsAndNoPositions() {
    SplittableRandom random = new SplittableRandom(4);
    int width = 5;
    float[] w = uniform(random, D_MODEL * width);
    for (int r = 0; r < D_MODEL; r++) {
      w[r * width + 2] = 0;
    }
    float[] e = uniform(random, VOCAB * D_MODEL);
    TokenProjection projection = new TokenProjection(matrix(e), w, width, null, 2);
    int[] tokens = tokens(random, 100);
    tokens[7] = Tokenizer.ABSENT; // reads token 0's row; the kernel masks it
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, tokens.length, width);
    projection.project(tokens, 123_456, out);
    double[] expected = reference(e, w, width, tokens, 0, false);
    for (int p = 0; p < tokens.length; p++) {
      expected[p * width + 2] = 1;
    }
    assertClose(expected, out.data().asFloat(), "ones column");
    assertEquals(1f, out.getFloat(7, 2));
  }

  @Test
  void refusesAViewOrAWrongShape() {
    INDArray e = Nd4j.rand(DataType.FLOAT, VOCAB, D_MODEL);
    TokenProjection projection = new TokenProjection(e, new float[D_MODEL * 4], 4, null);
    float[] nonZero = new float[D_MODEL * 4];
    nonZero[1] = 1;
    assertThrows(IllegalArgumentException.class, () -> new TokenProjection(e, nonZero, 4, null, 1));
    INDArray wide = Nd4j.create(DataType.FLOAT, 10, 8);
    assertThrows(IllegalArgumentException.class,
        () -> projection.project(new int[10], 0, wide.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 4))));
    assertThrows(IllegalArgumentException.class,
        () -> projection.project(new int[9], 0, Nd4j.create(DataType.FLOAT, 10, 4)));
  }

  /** (E[t_p] + PE(start + p))·W in double, straight from the formula. */
  private static double[] reference(float[] e, float[] w, int width, int[] tokens, long start, boolean positions) {
    double[] out = new double[tokens.length * width];
    double[] x = new double[D_MODEL];
    for (int p = 0; p < tokens.length; p++) {
      int t = Math.max(tokens[p], 0);
      for (int i = 0; i < D_MODEL; i++) {
        x[i] = e[t * D_MODEL + i];
      }
      if (positions) {
        for (int i = 0; i < D_MODEL / 2; i++) {
          double angle = (start + p) * SinusoidalPositions.frequency(i, D_MODEL);
          x[2 * i] += Math.sin(angle);
          x[2 * i + 1] += Math.cos(angle);
        }
      }
      for (int c = 0; c < width; c++) {
        double sum = 0;
        for (int i = 0; i < D_MODEL; i++) {
          sum += x[i] * w[i * width + c];
        }
        out[p * width + c] = sum;
      }
    }
    return out;
  }

  private static void assertClose(double[] expected, float[] actual, String what) {
    assertEquals(expected.length, actual.length, what);
    double scale = 0;
    for (double v : expected) {
      scale = Math.max(scale, Math.abs(v));
    }
    double worst = 0;
    for (int i = 0; i < expected.length; i++) {
      worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
    }
    assertTrue(worst <= ALLOWED_ERROR * scale, what + ": max error " + worst + " at scale " + scale);
  }

  private static INDArray matrix(float[] e) {
    return Nd4j.create(e, new long[] {VOCAB, D_MODEL}, DataType.FLOAT);
  }

  private static float[] uniform(SplittableRandom random, int n) {
    float[] a = new float[n];
    for (int i = 0; i < n; i++) {
      a[i] = (float) (random.nextDouble() * 2 - 1) / 8;
    }
    return a;
  }

  private static int[] tokens(SplittableRandom random, int n) {
    int[] t = new int[n];
    for (int i = 0; i < n; i++) {
      t[i] = random.nextInt(VOCAB);
    }
    return t;
  }
}
