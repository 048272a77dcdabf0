package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** φ(x) = x: plain linear attention, whose normalizer can have either sign (counted when ≤ 0). */
public record Identity() implements ElementwiseFeatureMap {

  @Override
  public String name() {
    return "identity";
  }

  @Override
  public boolean isPositive() {
    return false;
  }

  @Override
  public double apply(double x) {
    return x;
  }

  @Override
  public void applyInPlace(INDArray x) {
    // φ(x) = x
  }

  /** φ'(x) = 1. */
  @Override
  public INDArray derivative(INDArray x) {
    return Nd4j.onesLike(x);
  }

  @Override
  public String toString() {
    return name();
  }
}
