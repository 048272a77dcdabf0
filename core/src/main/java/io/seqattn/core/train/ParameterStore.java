package io.seqattn.core.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The weights being trained: master copies in double by tensor name, with their shapes; what
 * the model computes with is their float32 rounding ({@link #floats}), written to the model
 * directory at every checkpoint.
 */
public final class ParameterStore {
  private final Map<String, double[]> values = new LinkedHashMap<>();
  private final Map<String, int[]> shapes = new LinkedHashMap<>();

  /** Adds a tensor (float32 values widened). */
  public void put(String name, int[] shape, float[] v) {
    double[] d = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      d[i] = v[i];
    }
    put(name, shape, d);
  }

  /** Adds a tensor in double. */
  public void put(String name, int[] shape, double[] v) {
    long size = 1;
    for (int s : shape) {
      size *= s;
    }
    if (size != v.length) {
      throw new IllegalArgumentException("tensor '" + name + "' has " + v.length + " values, its shape calls for "
          + size);
    }
    values.put(name, v);
    shapes.put(name, shape.clone());
  }

  public Set<String> names() {
    return values.keySet();
  }

  /** The master values of a tensor, updated in place by the optimizer. */
  public double[] values(String name) {
    double[] v = values.get(name);
    if (v == null) {
      throw new IllegalArgumentException("no parameter '" + name + "'");
    }
    return v;
  }

  public int[] shape(String name) {
    return shapes.get(name).clone();
  }

  /** Whether weight decay applies: to matrices (and the embedding table), not to norm weights and biases. */
  public boolean decayed(String name) {
    return shapes.get(name).length >= 2;
  }

  /** Every tensor rounded to float32, by name. */
  public Map<String, float[]> floats() {
    Map<String, float[]> out = new LinkedHashMap<>();
    values.forEach((name, v) -> {
      float[] f = new float[v.length];
      for (int i = 0; i < v.length; i++) {
        f[i] = (float) v[i];
      }
      out.put(name, f);
    });
    return out;
  }

  /** Whether every value is finite; the first tensor that is not, else null. */
  public String firstNonFinite() {
    for (Map.Entry<String, double[]> e : values.entrySet()) {
      for (double x : e.getValue()) {
        if (!Double.isFinite(x)) {
          return e.getKey();
        }
      }
    }
    return null;
  }
}
