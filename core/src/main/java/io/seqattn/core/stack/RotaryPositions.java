package io.seqattn.core.stack;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Rotary positions on m features (RoFormer): each pair (2i, 2i+1) of a row at position p turns by
 * the angle p·θ_i, θ_i = 10000^(−2i/m): (a, b) ↦ (a·cos − b·sin, a·sin + b·cos). The angles of a
 * chunk are computed in double from its global start (positions reach 10^8 on a chromosome) and
 * rounded once to float.
 */
final class RotaryPositions {
  private final int m;
  private final double[] theta;

  RotaryPositions(int m) {
    this.m = m;
    this.theta = new double[m / 2];
    for (int i = 0; i < theta.length; i++) {
      theta[i] = 1.0 / Math.pow(10000.0, 2.0 * i / m);
    }
  }

  /** cos and sin of every position's angles, [n, m/2] each: element 0 and 1 of the result. */
  INDArray[] angles(long start, int n) {
    int half = m / 2;
    float[] cos = new float[n * half];
    float[] sin = new float[n * half];
    for (int i = 0; i < half; i++) {
      double c0 = Math.cos(start * theta[i]);
      double s0 = Math.sin(start * theta[i]);
      double c1 = Math.cos(theta[i]);
      double s1 = Math.sin(theta[i]);
      double c = c0;
      double s = s0;
      for (int r = 0; r < n; r++) {
        if (r % 4096 == 0) { // re-anchor now and then, so rounding does not build up along a chunk
          c = Math.cos((start + r) * theta[i]);
          s = Math.sin((start + r) * theta[i]);
        }
        cos[r * half + i] = (float) c;
        sin[r * half + i] = (float) s;
        double next = c * c1 - s * s1;
        s = s * c1 + c * s1;
        c = next;
      }
    }
    return new INDArray[] {Nd4j.create(cos, new long[] {n, half}, DataType.FLOAT),
        Nd4j.create(sin, new long[] {n, half}, DataType.FLOAT)};
  }

  /** The rows of {@code features} [n, m] rotated by their positions' angles, a new array. */
  static INDArray rotate(INDArray features, INDArray[] angles) {
    long n = features.rows();
    int m = (int) features.columns();
    INDArray pairs = features.dup().reshape(n, m / 2, 2);
    INDArray a = pairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).dup();
    INDArray b = pairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).dup();
    INDArray rotated = Nd4j.createUninitialized(DataType.FLOAT, n, m / 2, 2);
    rotated.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
        .assign(a.mul(angles[0]).subi(b.mul(angles[1])));
    rotated.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
        .assign(a.mul(angles[1]).addi(b.mul(angles[0])));
    return rotated.reshape(n, m);
  }
}
