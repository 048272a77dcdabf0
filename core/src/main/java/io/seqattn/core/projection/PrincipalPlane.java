package io.seqattn.core.projection;

import java.util.Arrays;

/**
 * The plane of the two leading principal components of a set of points, found by power iteration
 * on the centred data (v ← Xᵀ(X·v), never forming the d × d covariance), in double precision.
 *
 * <p>Used to draw embeddings in two dimensions. The iteration starts from a fixed vector and runs a
 * fixed rule, so the same points give the same plane bit for bit; each axis's sign is fixed so that
 * its largest-magnitude coordinate is positive.
 */
public final class PrincipalPlane {
  private static final int MAX_ITERATIONS = 1000;
  private static final double TOLERANCE = 1e-12;

  private final double[] mean;
  private final double[][] axes;
  private final double[] variances;

  private PrincipalPlane(double[] mean, double[][] axes, double[] variances) {
    this.mean = mean;
    this.axes = axes;
    this.variances = variances;
  }

  /**
   * Fits the plane to {@code points} (n rows of equal width d ≥ 1, n ≥ 1). With d = 1 the second
   * axis is zero; so is any axis beyond the data's rank.
   */
  public static PrincipalPlane fit(float[][] points) {
    if (points.length == 0) {
      throw new IllegalArgumentException("no points to project");
    }
    int d = points[0].length;
    double[][] centred = new double[points.length][d];
    double[] mean = new double[d];
    for (float[] p : points) {
      if (p.length != d) {
        throw new IllegalArgumentException("points of width " + p.length + " and " + d);
      }
      for (int j = 0; j < d; j++) {
        mean[j] += p[j];
      }
    }
    for (int j = 0; j < d; j++) {
      mean[j] /= points.length;
    }
    for (int i = 0; i < points.length; i++) {
      for (int j = 0; j < d; j++) {
        centred[i][j] = points[i][j] - mean[j];
      }
    }
    double[][] axes = new double[2][];
    double[] variances = new double[2];
    for (int a = 0; a < 2; a++) {
      double[][] found = a == 0 ? new double[0][] : new double[][] {axes[0]};
      axes[a] = leading(centred, found);
      variances[a] = norm2(apply(centred, axes[a])) / Math.max(1, points.length - 1);
    }
    return new PrincipalPlane(mean, axes, variances);
  }

  /** The coordinates (x, y) of {@code point} in the plane. */
  public double[] project(float[] point) {
    double[] xy = new double[2];
    for (int a = 0; a < 2; a++) {
      double s = 0;
      for (int j = 0; j < mean.length; j++) {
        s += (point[j] - mean[j]) * axes[a][j];
      }
      xy[a] = s;
    }
    return xy;
  }

  /** Axis a (0 or 1), a unit vector (or zero, beyond the data's rank). */
  public double[] axis(int a) {
    return axes[a].clone();
  }

  /** The sample variance of the points along axis a. */
  public double variance(int a) {
    return variances[a];
  }

  /** The leading eigenvector of XᵀX orthogonal to {@code found}, or zero when none is left. */
  private static double[] leading(double[][] x, double[][] found) {
    int d = x[0].length;
    double total = 0; // the trace of XᵀX: eigenvalues below 1e-12 of it are rounding, not data
    for (double[] row : x) {
      total += norm2(row);
    }
    double[] v = new double[d];
    for (int j = 0; j < d; j++) {
      v[j] = 1.0 + 0.01 * j; // fixed and unlikely to be orthogonal to any axis of real data
    }
    orthogonalize(v, found);
    if (!normalize(v)) {
      return new double[d];
    }
    for (int it = 0; it < MAX_ITERATIONS; it++) {
      double[] next = transposeApply(x, apply(x, v));
      orthogonalize(next, found);
      if (Math.sqrt(norm2(next)) <= 1e-12 * total || !normalize(next)) {
        return new double[d];
      }
      double change = 0;
      for (int j = 0; j < d; j++) {
        change = Math.max(change, Math.abs(next[j] - v[j]));
      }
      v = next;
      if (change < TOLERANCE) {
        break;
      }
    }
    fixSign(v);
    return v;
  }

  private static double[] apply(double[][] x, double[] v) {
    double[] out = new double[x.length];
    for (int i = 0; i < x.length; i++) {
      double s = 0;
      for (int j = 0; j < v.length; j++) {
        s += x[i][j] * v[j];
      }
      out[i] = s;
    }
    return out;
  }

  private static double[] transposeApply(double[][] x, double[] u) {
    double[] out = new double[x[0].length];
    for (int i = 0; i < x.length; i++) {
      for (int j = 0; j < out.length; j++) {
        out[j] += x[i][j] * u[i];
      }
    }
    return out;
  }

  private static void orthogonalize(double[] v, double[][] against) {
    for (double[] a : against) {
      double dot = 0;
      for (int j = 0; j < v.length; j++) {
        dot += v[j] * a[j];
      }
      for (int j = 0; j < v.length; j++) {
        v[j] -= dot * a[j];
      }
    }
  }

  /** Scales v to unit length; false when it is (numerically) zero. */
  private static boolean normalize(double[] v) {
    double n = Math.sqrt(norm2(v));
    if (!(n > 1e-300)) {
      return false;
    }
    for (int j = 0; j < v.length; j++) {
      v[j] /= n;
    }
    return true;
  }

  private static double norm2(double[] v) {
    return Arrays.stream(v).map(x -> x * x).sum();
  }

  private static void fixSign(double[] v) {
    int largest = 0;
    for (int j = 1; j < v.length; j++) {
      if (Math.abs(v[j]) > Math.abs(v[largest])) {
        largest = j;
      }
    }
    if (v[largest] < 0) {
      for (int j = 0; j < v.length; j++) {
        v[j] = -v[j];
      }
    }
  }
}
