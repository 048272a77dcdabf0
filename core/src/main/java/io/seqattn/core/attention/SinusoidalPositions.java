package io.seqattn.core.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * Vaswani et al. (2017) positional encoding on a token's global position p:
 * PE(p)[2i] = sin(p·ω_i), PE(p)[2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d_model).
 *
 * <p>No sine is evaluated per token. For a chunk starting at s, the angle-addition identities
 * sin((s+r)ω) = sin(rω)cos(sω) + cos(rω)sin(sω) and cos((s+r)ω) = cos(rω)cos(sω) − sin(rω)sin(sω)
 * turn the block into two tables over the offset r — T = [sin(rω_i), cos(rω_i)]ᵢ and
 * T' = [cos(rω_i), −sin(rω_i)]ᵢ, built once — scaled column-wise by cos(sω) and sin(sω), which are
 * computed in double once per chunk (s reaches 10^8 on a chromosome, beyond float32's reach).
 * Tables grow to the longest chunk seen. Not thread-safe, like the kernel that owns it.
 */
public final class SinusoidalPositions {

  private final int dModel;
  private final double[] omega;
  private INDArray table;
  private INDArray shifted;

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

  /** Adds PE(start), …, PE(start + n − 1) to the rows of {@code x} ([n, d_model], float). */
  public void addTo(INDArray x, long start) {
    int n = x.rows();
    ensureRows(n);
    float[] cosStart = new float[dModel];
    float[] sinStart = new float[dModel];
    for (int i = 0; i < omega.length; i++) {
      double angle = start * omega[i];
      cosStart[2 * i] = cosStart[2 * i + 1] = (float) Math.cos(angle);
      sinStart[2 * i] = sinStart[2 * i + 1] = (float) Math.sin(angle);
    }
    INDArrayIndex rows = NDArrayIndex.interval(0, n);
    x.addi(table.get(rows, NDArrayIndex.all()).mulRowVector(Nd4j.createFromArray(cosStart)));
    x.addi(shifted.get(rows, NDArrayIndex.all()).mulRowVector(Nd4j.createFromArray(sinStart)));
  }

  private void ensureRows(int n) {
    if (table != null && table.rows() >= n) {
      return;
    }
    int rows = Integer.highestOneBit(Math.max(n - 1, 1)) << 1;
    float[] t = new float[rows * dModel];
    float[] s = new float[rows * dModel];
    for (int r = 0; r < rows; r++) {
      for (int i = 0; i < omega.length; i++) {
        double angle = r * omega[i];
        double sin = Math.sin(angle);
        double cos = Math.cos(angle);
        int o = r * dModel + 2 * i;
        t[o] = (float) sin;
        t[o + 1] = (float) cos;
        s[o] = (float) cos;
        s[o + 1] = (float) -sin;
      }
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      table = Nd4j.create(t, new long[] {rows, dModel}, DataType.FLOAT);
      shifted = Nd4j.create(s, new long[] {rows, dModel}, DataType.FLOAT);
    }
  }
}
