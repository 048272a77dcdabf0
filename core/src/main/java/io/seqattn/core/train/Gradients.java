package io.seqattn.core.train;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient sums by tensor name, row-major, in double. Every contribution is added as it comes,
 * so the same calls in the same order give the same bits: callers add chunks in chunk order and
 * sequences in batch order, never in the order tasks happen to finish.
 */
public final class Gradients {
  private final Map<String, double[]> sums = new LinkedHashMap<>();

  /** Adds {@code g} (any shape, row-major) to tensor {@code name}'s sum. */
  public void add(String name, INDArray g) {
    double[] values = Nd4j.toFlattened('c', g).castTo(DataType.DOUBLE).toDoubleVector();
    add(name, values);
  }

  /** Adds {@code values} to tensor {@code name}'s sum. */
  public void add(String name, double[] values) {
    double[] sum = sums.computeIfAbsent(name, k -> new double[values.length]);
    if (sum.length != values.length) {
      throw new IllegalArgumentException("gradient of '" + name + "' has " + sum.length + " values, cannot add "
          + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      sum[i] += values[i];
    }
  }

  /**
   * Adds row r of {@code values} [n, width] to row {@code rows[r]} of tensor {@code name} (a
   * table of {@code tableRows} rows): the scatter of an embedding lookup. Rows with a negative
   * index are skipped (absent positions).
   */
  public void addRows(String name, int tableRows, int[] rows, INDArray values) {
    int width = (int) values.columns();
    double[] flat = Nd4j.toFlattened('c', values).castTo(DataType.DOUBLE).toDoubleVector();
    double[] sum = sums.computeIfAbsent(name, k -> new double[tableRows * width]);
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] < 0) {
        continue;
      }
      int to = rows[r] * width;
      int from = r * width;
      for (int c = 0; c < width; c++) {
        sum[to + c] += flat[from + c];
      }
    }
  }

  /** Adds every sum of {@code other}, by name, in {@code other}'s order. */
  public void addAll(Gradients other) {
    for (Map.Entry<String, double[]> e : other.sums.entrySet()) {
      add(e.getKey(), e.getValue());
    }
  }

  /** Tensor {@code name}'s gradient, or null if nothing was added to it. */
  public double[] get(String name) {
    return sums.get(name);
  }

  /** Every sum, by name, in the order first added; do not modify. */
  public Map<String, double[]> all() {
    return Collections.unmodifiableMap(sums);
  }

  /** The Euclidean norm over every tensor, for clipping. */
  public double norm() {
    double acc = 0;
    for (double[] v : sums.values()) {
      for (double x : v) {
        acc += x * x;
      }
    }
    return Math.sqrt(acc);
  }

  /** Multiplies every sum by {@code factor}. */
  public void scale(double factor) {
    for (double[] v : sums.values()) {
      for (int i = 0; i < v.length; i++) {
        v[i] *= factor;
      }
    }
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Gradients{");
    sums.forEach((k, v) -> b.append(k).append('[').append(v.length).append("] "));
    return b.append('}').toString();
  }

  /** Whether both hold the same names with bitwise the same values. */
  public boolean sameBits(Gradients other) {
    if (!sums.keySet().equals(other.sums.keySet())) {
      return false;
    }
    for (Map.Entry<String, double[]> e : sums.entrySet()) {
      if (!Arrays.equals(e.getValue(), other.sums.get(e.getKey()))) {
        return false;
      }
    }
    return true;
  }
}
