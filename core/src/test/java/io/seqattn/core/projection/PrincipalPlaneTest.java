package io.seqattn.core.projection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.eigen.Eigen;
import org.nd4j.linalg.factory.Nd4j;

/** The plane against a full symmetric eigendecomposition (LAPACK, double) of the sample covariance. */
class PrincipalPlaneTest {

  @Test
  void axesAndVariancesAreTheCovariancesLeadingEigenpairs() {
    Random random = new Random(11);
    int n = 400;
    int d = 12;
    float[][] points = new float[n][d];
    double[] scales = {5, 3, 1, 0.5, 0.4, 0.3, 0.2, 0.2, 0.1, 0.1, 0.1, 0.05};
    for (float[] p : points) {
      for (int j = 0; j < d; j++) {
        p[j] = (float) (scales[j] * random.nextGaussian() + 2.0);
      }
    }
    // A fixed rotation so that the axes are not the coordinate axes.
    INDArray q = Nd4j.createFromArray(orthonormalRows(d, random));
    for (float[] p : points) {
      double[] r = q.mmul(Nd4j.createFromArray(toDouble(p)).reshape(d, 1)).data().asDouble();
      for (int j = 0; j < d; j++) {
        p[j] = (float) r[j];
      }
    }
    PrincipalPlane plane = PrincipalPlane.fit(points);

    double[][] x = new double[n][d];
    double[] mean = new double[d];
    for (float[] p : points) {
      for (int j = 0; j < d; j++) {
        mean[j] += p[j] / (double) n;
      }
    }
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < d; j++) {
        x[i][j] = points[i][j] - mean[j];
      }
    }
    INDArray xm = Nd4j.createFromArray(x);
    INDArray cov = xm.transpose().mmul(xm).divi(n - 1);
    INDArray values = Eigen.symmetricGeneralizedEigenvalues(cov.dup(), false); // ascending
    for (int a = 0; a < 2; a++) {
      int col = d - 1 - a;
      assertEquals(values.getDouble(col), plane.variance(a), 1e-9 * values.getDouble(d - 1));
      double[] axis = plane.axis(a);
      // An eigenvector of the covariance for that eigenvalue: ‖C·a − λ·a‖ ≈ 0, and a unit vector.
      double[] ca = cov.mmul(Nd4j.createFromArray(axis).reshape(d, 1)).data().asDouble();
      double residual = 0;
      double length = 0;
      for (int j = 0; j < d; j++) {
        residual += Math.pow(ca[j] - values.getDouble(col) * axis[j], 2);
        length += axis[j] * axis[j];
      }
      assertEquals(0.0, Math.sqrt(residual), 1e-9 * values.getDouble(d - 1), "axis " + a);
      assertEquals(1.0, length, 1e-12);
      double[] xy = plane.project(points[7]);
      double coordinate = 0;
      for (int j = 0; j < d; j++) {
        coordinate += x[7][j] * axis[j];
      }
      assertEquals(coordinate, xy[a], 1e-9);
    }
  }

  @Test
  void theSamePointsGiveTheSamePlaneAndOneDimensionLeavesTheSecondAxisZero() {
    float[][] line = {{1f, 2f}, {2f, 4f}, {3f, 6f}, {4f, 8f}};
    PrincipalPlane plane = PrincipalPlane.fit(line);
    assertArrayEquals(plane.axis(0), PrincipalPlane.fit(line).axis(0));
    assertEquals(1 / Math.sqrt(5), plane.axis(0)[0], 1e-12);
    assertEquals(0.0, plane.variance(1), 1e-20);
    assertEquals(0.0, plane.project(line[0])[1], 1e-9);
    assertThrows(IllegalArgumentException.class, () -> PrincipalPlane.fit(new float[0][]));
  }

  /** Gram-Schmidt on seeded Gaussian rows: a random rotation. */
  private static double[][] orthonormalRows(int d, Random random) {
    double[][] q = new double[d][d];
    for (int i = 0; i < d; i++) {
      for (int j = 0; j < d; j++) {
        q[i][j] = random.nextGaussian();
      }
      for (int k = 0; k < i; k++) {
        double dot = 0;
        for (int j = 0; j < d; j++) {
          dot += q[i][j] * q[k][j];
        }
        for (int j = 0; j < d; j++) {
          q[i][j] -= dot * q[k][j];
        }
      }
      double norm = Math.sqrt(java.util.Arrays.stream(q[i]).map(v -> v * v).sum());
      for (int j = 0; j < d; j++) {
        q[i][j] /= norm;
      }
    }
    return q;
  }

  private static double[] toDouble(float[] p) {
    double[] out = new double[p.length];
    for (int j = 0; j < p.length; j++) {
      out[j] = p[j];
    }
    return out;
  }
}
