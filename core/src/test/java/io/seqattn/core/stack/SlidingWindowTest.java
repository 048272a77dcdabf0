package io.seqattn.core.stack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The blocked window against the definition written out in double: for each query, softmax over
 * the present keys among the last w, with halo rows before the chunk, windows shorter and longer
 * than a block, and an absent run longer than the window (rows that read nothing).
 */
class SlidingWindowTest {
  static final int HEADS = 2;
  static final int DK = 4;
  static final int DV = 3;

  @ParameterizedTest(name = "w {0}, block {1}, halo {2}")
  @CsvSource({"1, 8, 0", "5, 8, 4", "20, 8, 19", "20, 8, 7", "9, 64, 8", "64, 16, 63"})
  void equalsMaskedSoftmax(int window, int block, int halo) {
    int n = 160;
    int r = halo + n;
    Random random = new Random(window * 31L + block + halo);
    float[] q = gaussian(random, n * HEADS * DK);
    float[] k = gaussian(random, r * HEADS * DK);
    float[] v = gaussian(random, r * HEADS * DV);
    float[] present = new float[r];
    for (int j = 0; j < r; j++) {
      boolean gap = j >= halo + 40 && j < halo + 40 + window + 3; // longer than the window
      present[j] = gap || random.nextDouble() < 0.2 ? 0f : 1f;
    }
    INDArray got = new SlidingWindow(window, HEADS, DK, DV, block).apply(
        Nd4j.create(q, new long[] {n, HEADS * DK}, 'c'), Nd4j.create(k, new long[] {r, HEADS * DK}, 'c'),
        Nd4j.create(v, new long[] {r, HEADS * DV}, 'c'), Nd4j.create(present, new long[] {r, 1}, 'c'));
    assertEquals(DataType.FLOAT, got.dataType());
    double worst = 0;
    double scale = 0;
    int empty = 0;
    for (int t = 0; t < n; t++) {
      int at = halo + t;
      for (int h = 0; h < HEADS; h++) {
        double[] want = new double[DV];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = Math.max(0, at - window + 1); j <= at; j++) {
          if (present[j] == 1f) {
            max = Math.max(max, dot(q, t, k, j, h) / Math.sqrt(DK));
          }
        }
        double total = 0;
        for (int j = Math.max(0, at - window + 1); j <= at; j++) {
          if (present[j] == 1f) {
            double p = Math.exp(dot(q, t, k, j, h) / Math.sqrt(DK) - max);
            total += p;
            for (int c = 0; c < DV; c++) {
              want[c] += p * v[(j * HEADS + h) * DV + c];
            }
          }
        }
        if (total == 0 && h == 0) {
          empty++;
        }
        for (int c = 0; c < DV; c++) {
          double w = total == 0 ? 0 : want[c] / total;
          worst = Math.max(worst, Math.abs(got.getDouble(t, h * DV + c) - w));
          scale = Math.max(scale, Math.abs(w));
        }
      }
    }
    assertTrue(empty > 0, "the absent run leaves rows with nothing to read");
    assertTrue(worst <= 1e-5 * scale, "max error " + worst + " against max " + scale);
  }

  private static double dot(float[] q, int t, float[] k, int j, int h) {
    double s = 0;
    for (int c = 0; c < DK; c++) {
      s += (double) q[(t * HEADS + h) * DK + c] * k[(j * HEADS + h) * DK + c];
    }
    return s;
  }

  private static float[] gaussian(Random random, int count) {
    float[] out = new float[count];
    for (int i = 0; i < count; i++) {
      out[i] = (float) (2 * random.nextGaussian());
    }
    return out;
  }
}
