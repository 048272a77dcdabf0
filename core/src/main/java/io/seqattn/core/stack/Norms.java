package io.seqattn.core.stack;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A norm with its weights on ND4J, applied to every row of a [n, d] float array: RMSNorm(x) = x /
 * √(mean(x²) + eps) ⊙ w, LayerNorm(x) = (x − mean(x)) / √(var(x) + eps) ⊙ w + b.
 */
final class Norms {
  private final NormSpec spec;
  private final INDArray weight;
  private final INDArray bias;
  /** A column of 1/d [d, 1]: row means by GEMM. */
  private final INDArray inverseWidth;

  /** @param bias null for RMSNorm */
  Norms(NormSpec spec, float[] weight, float[] bias) {
    this.spec = spec;
    this.weight = Nd4j.create(weight, new long[] {1, weight.length}, DataType.FLOAT);
    this.inverseWidth = Nd4j.valueArrayOf(new long[] {weight.length, 1}, 1.0f / weight.length, DataType.FLOAT);
    this.bias = bias == null ? null : Nd4j.create(bias, new long[] {1, bias.length}, DataType.FLOAT);
  }

  /** The normed rows, a new array (in the current workspace). */
  INDArray apply(INDArray x) {
    INDArray centered = x;
    if (spec.kind() == NormSpec.Kind.LAYERNORM) {
      centered = x.subColumnVector(rowMeans(x));
    }
    INDArray meanSquare = rowMeans(centered.mul(centered));
    INDArray rms = Transforms.sqrt(meanSquare.addi(spec.eps()), false);
    INDArray y = centered.divColumnVector(rms).muliRowVector(weight);
    return bias == null ? y : y.addiRowVector(bias);
  }

  /**
   * Each row's mean [n, 1], as one GEMM against a column of 1/d: ND4J's mean along an axis walks
   * the rows one by one, several times slower for these shapes. Summed in float, like the GEMMs.
   */
  private INDArray rowMeans(INDArray x) {
    INDArray means = Nd4j.createUninitialized(DataType.FLOAT, x.rows(), 1);
    Nd4j.gemm(x, inverseWidth, means, false, false, 1.0, 0.0);
    return means;
  }
}
