package io.seqattn.core.train;

import java.io.Serializable;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * Gradient sums by tensor name, row-major, in double. Every contribution is added as it comes,
 * so the same calls in the same order give the same bits: callers add chunks in chunk order and
 * sequences in batch order, never in the order tasks happen to finish. An embedding table's
 * gradient is kept by row, only the rows a sequence touched: a document of a few thousand
 * distinct words sends a few thousand rows, not the whole vocabulary.
 */
public final class Gradients implements Serializable {
  private static final long serialVersionUID = 1L;

  private final Map<String, double[]> dense = new LinkedHashMap<>();
  private final Map<String, Rows> sparse = new LinkedHashMap<>();

  /** A table's touched rows, by index. */
  private static final class Rows implements Serializable {
    private static final long serialVersionUID = 1L;
    final int tableRows;
    final int width;
    final TreeMap<Integer, double[]> byRow = new TreeMap<>();

    Rows(int tableRows, int width) {
      this.tableRows = tableRows;
      this.width = width;
    }

    double[] row(int r) {
      return byRow.computeIfAbsent(r, k -> new double[width]);
    }
  }

  /** Adds {@code g} (any shape, row-major) to tensor {@code name}'s sum. */
  public void add(String name, INDArray g) {
    add(name, Nd4j.toFlattened('c', g).castTo(DataType.DOUBLE).toDoubleVector());
  }

  /** Adds {@code values} to tensor {@code name}'s sum. */
  public void add(String name, double[] values) {
    if (sparse.containsKey(name)) {
      throw new IllegalArgumentException("gradient of '" + name + "' is kept by row");
    }
    double[] sum = dense.computeIfAbsent(name, k -> new double[values.length]);
    if (sum.length != values.length) {
      throw new IllegalArgumentException("gradient of '" + name + "' has " + sum.length + " values, cannot add "
          + values.length);
    }
    for (int i = 0; i < values.length; i++) {
      sum[i] += values[i];
    }
  }

  /**
   * Adds row r of {@code values} [n, width] to row {@code rows[r]} of tensor {@code name}, a table
   * of {@code tableRows} rows: the scatter of an embedding lookup, in the order of the rows.
   * Negative indices are skipped (absent positions).
   */
  public void addRows(String name, int tableRows, int[] rows, INDArray values) {
    int width = (int) values.columns();
    double[] flat = Nd4j.toFlattened('c', values).castTo(DataType.DOUBLE).toDoubleVector();
    Rows table = rows(name, tableRows, width);
    for (int r = 0; r < rows.length; r++) {
      if (rows[r] < 0) {
        continue;
      }
      double[] sum = table.row(rows[r]);
      int from = r * width;
      for (int c = 0; c < width; c++) {
        sum[c] += flat[from + c];
      }
    }
  }

  private Rows rows(String name, int tableRows, int width) {
    if (dense.containsKey(name)) {
      throw new IllegalArgumentException("gradient of '" + name + "' is kept dense");
    }
    Rows table = sparse.computeIfAbsent(name, k -> new Rows(tableRows, width));
    if (table.tableRows != tableRows || table.width != width) {
      throw new IllegalArgumentException("gradient of '" + name + "' is a [" + table.tableRows + ", " + table.width
          + "] table, cannot add rows of [" + tableRows + ", " + width + "]");
    }
    return table;
  }

  /** Adds every sum of {@code other}, by name, in {@code other}'s order. */
  public void addAll(Gradients other) {
    for (Map.Entry<String, double[]> e : other.dense.entrySet()) {
      add(e.getKey(), e.getValue());
    }
    for (Map.Entry<String, Rows> e : other.sparse.entrySet()) {
      Rows from = e.getValue();
      Rows to = rows(e.getKey(), from.tableRows, from.width);
      for (Map.Entry<Integer, double[]> row : from.byRow.entrySet()) {
        double[] sum = to.row(row.getKey());
        double[] add = row.getValue();
        for (int c = 0; c < add.length; c++) {
          sum[c] += add[c];
        }
      }
    }
  }

  /** Tensor {@code name}'s gradient, dense and row-major (untouched rows 0), or null if nothing was added. */
  public double[] get(String name) {
    double[] d = dense.get(name);
    if (d != null) {
      return d;
    }
    Rows table = sparse.get(name);
    if (table == null) {
      return null;
    }
    double[] out = new double[table.tableRows * table.width];
    table.byRow.forEach((r, v) -> System.arraycopy(v, 0, out, r * table.width, table.width));
    return out;
  }

  /** The tensors that have a gradient, dense ones first, each in the order first added. */
  public Set<String> names() {
    Set<String> out = new LinkedHashSet<>(dense.keySet());
    out.addAll(sparse.keySet());
    return out;
  }

  /**
   * Visits every gradient element as (tensor, flat index, value): rows of tables only where
   * touched, which is where the rest is 0.
   */
  public void forEachTouched(ElementVisitor visitor) {
    dense.forEach((name, v) -> visitor.touched(name, 0, v));
    sparse.forEach((name, t) -> t.byRow.forEach((r, v) -> visitor.touched(name, r * t.width, v)));
  }

  /** What {@link #forEachTouched} calls: {@code values} start at flat index {@code offset} of the tensor. */
  @FunctionalInterface
  public interface ElementVisitor {
    void touched(String tensor, int offset, double[] values);
  }

  /** The Euclidean norm over every tensor, for clipping. */
  public double norm() {
    double[] acc = {0};
    forEachTouched((name, offset, v) -> {
      for (double x : v) {
        acc[0] += x * x;
      }
    });
    return Math.sqrt(acc[0]);
  }

  /** Multiplies every sum by {@code factor}. */
  public void scale(double factor) {
    forEachTouched((name, offset, v) -> {
      for (int i = 0; i < v.length; i++) {
        v[i] *= factor;
      }
    });
  }

  /** Whether both hold the same tensors with bitwise the same values. */
  public boolean sameBits(Gradients other) {
    if (!names().equals(other.names())) {
      return false;
    }
    for (String name : names()) {
      if (!Arrays.equals(get(name), other.get(name))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    StringBuilder b = new StringBuilder("Gradients{");
    dense.forEach((k, v) -> b.append(k).append('[').append(v.length).append("] "));
    sparse.forEach((k, t) -> b.append(k).append('[').append(t.byRow.size()).append(" of ").append(t.tableRows)
        .append(" rows] "));
    return b.append('}').toString();
  }
}
