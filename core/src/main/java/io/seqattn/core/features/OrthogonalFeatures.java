package io.seqattn.core.features;

import io.seqattn.core.random.Gaussian;
import java.util.SplittableRandom;

/**
 * Orthogonal random features (Yu et al., 2016; used by FAVOR+): rows ω ∈ ℝ^d drawn in blocks of d,
 * each block a Gaussian matrix whose rows are orthogonalized (Gram–Schmidt, in double), then every
 * row rescaled to the norm of an independent N(0, I_d) vector — a chi-distributed length. Each row
 * is then marginally N(0, I_d), so the estimators stay unbiased, while rows within a block are
 * exactly orthogonal, which lowers their variance. Seeded: the same seed gives the same ω on every
 * machine.
 */
public final class OrthogonalFeatures {
  private OrthogonalFeatures() {}

  /** {@code rows} × {@code d} row-major. */
  public static float[] draw(int rows, int d, SplittableRandom random) {
    float[] omega = new float[rows * d];
    for (int blockStart = 0; blockStart < rows; blockStart += d) {
      int blockRows = Math.min(d, rows - blockStart);
      double[][] q = orthonormalRows(d, random);
      for (int r = 0; r < blockRows; r++) {
        double norm = 0;
        for (int j = 0; j < d; j++) {
          double g = Gaussian.next(random);
          norm += g * g;
        }
        norm = Math.sqrt(norm);
        for (int j = 0; j < d; j++) {
          omega[(blockStart + r) * d + j] = (float) (q[r][j] * norm);
        }
      }
    }
    return omega;
  }

  /** d orthonormal rows: a Gaussian d × d matrix through modified Gram–Schmidt (full rank with probability 1). */
  private static double[][] orthonormalRows(int d, SplittableRandom random) {
    double[][] q = new double[d][d];
    for (int r = 0; r < d; r++) {
      double norm;
      do {
        for (int j = 0; j < d; j++) {
          q[r][j] = Gaussian.next(random);
        }
        for (int p = 0; p < r; p++) {
          double dot = 0;
          for (int j = 0; j < d; j++) {
            dot += q[r][j] * q[p][j];
          }
          for (int j = 0; j < d; j++) {
            q[r][j] -= dot * q[p][j];
          }
        }
        norm = 0;
        for (int j = 0; j < d; j++) {
          norm += q[r][j] * q[r][j];
        }
        norm = Math.sqrt(norm);
      } while (norm < 1e-8); // a degenerate draw: draw the row again
      for (int j = 0; j < d; j++) {
        q[r][j] /= norm;
      }
    }
    return q;
  }
}
