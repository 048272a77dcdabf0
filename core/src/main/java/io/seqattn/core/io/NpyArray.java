package io.seqattn.core.io;

import java.util.Arrays;

/**
 * A dense, C-ordered array as stored in a NumPy {@code .npy} file: a shape and its values in
 * float32 or float64. Exactly one of {@link #floats()} and {@link #doubles()} is non-null.
 */
public record NpyArray(int[] shape, float[] floats, double[] doubles) {

  public NpyArray {
    shape = shape.clone();
    if ((floats == null) == (doubles == null)) {
      throw new IllegalArgumentException("exactly one of floats and doubles must be given");
    }
    long expected = elementCount(shape);
    long actual = floats != null ? floats.length : doubles.length;
    if (expected != actual) {
      throw new IllegalArgumentException(
          "shape " + Arrays.toString(shape) + " holds " + expected + " values, got " + actual);
    }
  }

  public static NpyArray ofFloats(float[] values, int... shape) {
    return new NpyArray(shape, values, null);
  }

  public static NpyArray ofDoubles(double[] values, int... shape) {
    return new NpyArray(shape, null, values);
  }

  public boolean isDouble() {
    return doubles != null;
  }

  /** NumPy's dtype string for this array: {@code <f4} or {@code <f8}. */
  public String dtype() {
    return isDouble() ? "<f8" : "<f4";
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  static long elementCount(int[] shape) {
    long n = 1;
    for (int dim : shape) {
      if (dim < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, dim);
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof NpyArray other
        && Arrays.equals(shape, other.shape)
        && Arrays.equals(floats, other.floats)
        && Arrays.equals(doubles, other.doubles);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(shape) + Arrays.hashCode(floats) + Arrays.hashCode(doubles);
  }

  @Override
  public String toString() {
    return "NpyArray" + Arrays.toString(shape) + " " + dtype();
  }
}
