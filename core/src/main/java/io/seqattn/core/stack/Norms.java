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

  /** @param bias null for RMSNorm */
  Norms(NormSpec spec, float[] weight, float[] bias) {
    this.spec = spec;
    this.weight = Nd4j.create(weight, new long[] {1, weight.length}, DataType.FLOAT);
    this.bias = bias == null ? null : Nd4j.create(bias, new long[] {1, bias.length}, DataType.FLOAT);
  }

  /** The normed rows, a new array (in the current workspace). */
  INDArray apply(INDArray x) {
    INDArray centered = x;
    if (spec.kind() == NormSpec.Kind.LAYERNORM) {
      centered = x.subColumnVector(x.mean(true, 1));
    }
    INDArray meanSquare = centered.mul(centered).mean(true, 1);
    INDArray rms = Transforms.sqrt(meanSquare.addi(spec.eps()), false);
    INDArray y = centered.divColumnVector(rms).muliRowVector(weight);
    return bias == null ? y : y.addiRowVector(bias);
  }
}
