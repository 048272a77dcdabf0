package io.seqattn.core.attention;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Vaswani et al. (2017) positional encoding on a token's global position p:
 * PE(p)[2i] = sin(p·ω_i), PE(p)[2i+1] = cos(p·ω_i), ω_i = 10000^(−2i/d_model). Angles are formed in
 * double, because p reaches 10^8 on a chromosome and a float32 product would lose the phase.
 */
public final class SinusoidalPositions {

  private final int dModel;
  private final INDArray omega;

  public SinusoidalPositions(int dModel) {
    if (dModel % 2 != 0) {
      throw new IllegalArgumentException("sinusoidal positions need an even d_model, got " + dModel);
    }
    this.dModel = dModel;
    double[] w = new double[dModel / 2];
    for (int i = 0; i < w.length; i++) {
      w[i] = frequency(i, dModel);
    }
    this.omega = Nd4j.createFromArray(w).reshape(1, w.length).detach();
  }

  /** ω_i = 10000^(−2i/d_model): the angular frequency of column pair i. */
  public static double frequency(int i, int dModel) {
    return 1.0 / Math.pow(10000.0, 2.0 * i / dModel);
  }

  /** Adds PE(start), …, PE(start + n − 1) to the rows of {@code x} ([n, d_model], float). */
  public void addTo(INDArray x, long start) {
    long n = x.rows();
    // offsets 0..n-1 are exact in float (n < 2^24); the start is added in double
    INDArray positions = Nd4j.arange(n).castTo(DataType.DOUBLE).addi(start).reshape(n, 1);
    INDArray angles = positions.mmul(omega);
    INDArray sin = Transforms.sin(angles, true).castTo(DataType.FLOAT);
    INDArray cos = Transforms.cos(angles, false).castTo(DataType.FLOAT);
    x.get(NDArrayIndex.all(), NDArrayIndex.interval(0, 2, dModel)).addi(sin);
    x.get(NDArrayIndex.all(), NDArrayIndex.interval(1, 2, dModel)).addi(cos);
  }
}
