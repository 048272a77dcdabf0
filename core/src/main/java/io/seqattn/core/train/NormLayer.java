package io.seqattn.core.train;

import io.seqattn.core.stack.NormSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A norm over the rows of [n, w] and its backward. With x̂ = (x − μ)·r (μ = 0 for RMSNorm), r =
 * 1/√(mean((x − μ)²) + eps), y = x̂ ⊙ w (+ b):
 * ∂x = r·(∂x̂ − x̂·mean(∂x̂ ⊙ x̂) − mean(∂x̂)) with ∂x̂ = ∂y ⊙ w, the last term for LayerNorm only;
 * ∂w = Σ_rows ∂y ⊙ x̂, ∂b = Σ_rows ∂y. The statistics are recomputed from x, never stored.
 */
final class NormLayer {
  private final String name;
  private final NormSpec spec;
  private final INDArray weight;
  private final INDArray bias;

  /** @param name the tensors' prefix, e.g. {@code layers.0.norm1} */
  NormLayer(String name, NormSpec spec, Parameters p) {
    this.name = name;
    this.spec = spec;
    this.weight = p.row(name + ".weight");
    this.bias = spec.kind().hasBias() ? p.row(name + ".bias") : null;
  }

  INDArray apply(INDArray x) {
    INDArray y = normalized(x)[0].muliRowVector(weight);
    return bias == null ? y : y.addiRowVector(bias);
  }

  /** ∂x for ∂y at input x; adds ∂w (and ∂b) to {@code grads}. */
  INDArray backward(INDArray x, INDArray dy, Gradients grads) {
    INDArray[] parts = normalized(x);
    INDArray xhat = parts[0];
    INDArray r = parts[1];
    grads.add(name + ".weight", Dense.columnSums(dy.mul(xhat)));
    if (bias != null) {
      grads.add(name + ".bias", Dense.columnSums(dy));
    }
    INDArray dxhat = dy.mulRowVector(weight);
    INDArray projection = dxhat.mul(xhat).mean(true, 1);
    INDArray dx = dxhat.sub(xhat.mulColumnVector(projection));
    if (spec.kind() == NormSpec.Kind.LAYERNORM) {
      dx.subiColumnVector(dxhat.mean(true, 1));
    }
    return dx.muliColumnVector(r);
  }

  /** x̂ [n, w] and r [n, 1]. */
  private INDArray[] normalized(INDArray x) {
    INDArray centred = spec.kind() == NormSpec.Kind.LAYERNORM ? x.subColumnVector(x.mean(true, 1)) : x;
    INDArray r = Transforms.pow(centred.mul(centred).mean(true, 1).addi(spec.eps()), -0.5, false);
    return new INDArray[] {centred.mulColumnVector(r), r};
  }
}
