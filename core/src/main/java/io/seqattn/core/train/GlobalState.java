package io.seqattn.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A global layer's state (S [H, m, d_v], z [H, m]) in double, or its adjoint (∂loss/∂S,
 * ∂loss/∂z), which has the same shape and adds the same way. A chunk's share is a few thousand
 * numbers; shares are added in chunk order.
 */
public record GlobalState(int heads, int m, int dValue, double[] s, double[] z) {

  public GlobalState {
    if (s.length != heads * m * dValue || z.length != heads * m) {
      throw new IllegalArgumentException("state arrays do not match [" + heads + ", " + m + ", " + dValue + "]");
    }
  }

  static GlobalState zero(int heads, int m, int dValue) {
    return new GlobalState(heads, m, dValue, new double[heads * m * dValue], new double[heads * m]);
  }

  /** this + later, element by element (a new state). */
  public GlobalState plus(GlobalState later) {
    if (later.heads != heads || later.m != m || later.dValue != dValue) {
      throw new IllegalArgumentException("cannot add states of different shapes");
    }
    double[] s2 = s.clone();
    double[] z2 = z.clone();
    for (int i = 0; i < s2.length; i++) {
      s2[i] += later.s[i];
    }
    for (int i = 0; i < z2.length; i++) {
      z2[i] += later.z[i];
    }
    return new GlobalState(heads, m, dValue, s2, z2);
  }

  /** Head h's S [m, d_v] in {@code type}. */
  INDArray s(int h, DataType type) {
    return Nd4j.create(Arrays.copyOfRange(s, h * m * dValue, (h + 1) * m * dValue), new long[] {m, dValue},
        DataType.DOUBLE).castTo(type);
  }

  /** Head h's z as a column [m, 1] in {@code type}. */
  INDArray z(int h, DataType type) {
    return Nd4j.create(Arrays.copyOfRange(z, h * m, (h + 1) * m), new long[] {m, 1}, DataType.DOUBLE).castTo(type);
  }

  /** Writes head h's S [m, d_v] and z [m, 1] from arrays of any type. */
  void set(int h, INDArray sh, INDArray zh) {
    double[] sv = Nd4j.toFlattened('c', sh).castTo(DataType.DOUBLE).toDoubleVector();
    double[] zv = Nd4j.toFlattened('c', zh).castTo(DataType.DOUBLE).toDoubleVector();
    System.arraycopy(sv, 0, s, h * m * dValue, m * dValue);
    System.arraycopy(zv, 0, z, h * m, m);
  }
}
