package io.seqattn.core.mixer;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Vaswani et al. (2017) positional encoding on a token's global position p:
 * PE(p)[2i] = sin(p·ω_i), PE(p)[2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d_model).
 *
 * <p>No sine is evaluated per token. By the angle-addition identities each column pair of
 * PE(s + r) is the pair of PE(r) turned by the angle s·ω_i, so PE(s + r) = PE(r)·Rot(s) with Rot(s)
 * block-diagonal of 2 × 2 rotations. A chunk starting at s therefore needs only a fixed table of
 * PE(r) over offsets r, built once, and Rot(s) — and since what the kernel wants is PE·W for a
 * weight matrix W, it folds the rotation into W ({@link #rotate}): PE(s + r)·W = PE(r)·(Rot(s)·W),
 * one GEMM. cos(s·ω) and sin(s·ω) are computed in double (s reaches 10^8 on a chromosome, beyond
 * float32's reach). The table grows to the longest chunk seen. Not thread-safe, like the kernel
 * that owns it.
 */
public final class SinusoidalPositions {

  private final int dModel;
  private final double[] omega;
  private INDArray table;

  public SinusoidalPositions(int dModel) {
    if (dModel % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positions need an even d_model, got " + dModel);
    }
    this.dModel = dModel;
    this.omega = new double[dModel / 2];
    for (int i = 0; i < omega.length; i++) {
      omega[i] = frequency(i, dModel);
    }
  }

  /** ω_i = 10000^(−2i/d_model): the angular frequency of column pair i. */
  public static double frequency(int i, int dModel) {
    return 1.0 / Math.pow(10000.0, 2.0 * i / dModel);
  }

  /** PE(0), …, PE(n − 1) as an [n, d_model] float view of the shared table; read only. */
  public INDArray offsets(int n) {
    ensureRows(n);
    return table.get(NDArrayIndex.interval(0, n), NDArrayIndex.all());
  }

  /**
   * Rot(start)·W for W [d_model, width] (row-major): the matrix that turns the offset table into
   * PE(start + r)·W. Row pair (2i, 2i+1) of the result is (c·W₂ᵢ − s·W₂ᵢ₊₁, s·W₂ᵢ + c·W₂ᵢ₊₁)
   * with c = cos(start·ω_i), s = sin(start·ω_i), in double, rounded once to float.
   */
  public float[] rotate(double[] w, int width, long start) {
    if (w.length != dModel * width) {
      throw new IllegalArgumentException("W has " + w.length + " values, expected " + dModel + " x " + width);
    }
    float[] rotated = new float[w.length];
    for (int i = 0; i < omega.length; i++) {
      double angle = start * omega[i];
      double c = Math.cos(angle);
      double s = Math.sin(angle);
      int even = 2 * i * width;
      int odd = even + width;
      for (int j = 0; j < width; j++) {
        rotated[even + j] = (float) (c * w[even + j] - s * w[odd + j]);
        rotated[odd + j] = (float) (s * w[even + j] + c * w[odd + j]);
      }
    }
    return rotated;
  }

  /** PE(start), …, PE(start + n − 1) as a fresh [n, d_model] float array: the table times Rot(start). */
  public INDArray encode(long start, int n) {
    double[] identity = new double[dModel * dModel];
    for (int i = 0; i < dModel; i++) {
      identity[i * dModel + i] = 1;
    }
    INDArray rot = Nd4j.create(rotate(identity, dModel, start), new long[] {dModel, dModel}, DataType.FLOAT);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, dModel);
    return Nd4j.gemm(offsets(n), rot, out, false, false, 1.0, 0.0);
  }

  private void ensureRows(int n) {
    if (table != null && table.rows() >= n) {
      return;
    }
    int rows = Integer.highestOneBit(Math.max(n - 1, 1)) << 1;
    float[] t = new float[rows * dModel];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < omega.length; i++) {
        double angle = r * omega[i];
        t[r * dModel + 2 * i] = (float) Math.sin(angle);
        t[r * dModel + 2 * i + 1] = (float) Math.cos(angle);
      }
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      table = Nd4j.create(t, new long[] {rows, dModel}, DataType.FLOAT);
    }
  }
}
