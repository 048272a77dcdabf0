package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/** φ(x) = max(x, 0): its normalizer can be 0 (guarded by eps) — such positions are counted. */
public record Relu() implements ElementwiseFeatureMap {

  @Override
  public String name() {
    return "relu";
  }

  @Override
  public boolean isPositive() {
    return false;
  }

  @Override
  public double apply(double x) {
    return Math.max(x, 0.0);
  }

  @Override
  public void applyInPlace(INDArray x) {
    Transforms.relu(x, false);
  }

  /** φ'(x) = 1 for x > 0, else 0 (also at 0, as PyTorch's relu). */
  @Override
  public INDArray derivative(INDArray x) {
    return x.gt(0.0).castTo(x.dataType());
  }

  @Override
  public String toString() {
    return name();
  }
}
