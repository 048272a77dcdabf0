package io.seqattn.core.model;

import java.util.Arrays;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernel feature map φ applied to each query and key row, so that exp(qᵀk) is replaced by
 * φ(q)ᵀφ(k). Both maps here are deterministic and keep the feature dimension (m = d_head):
 * {@code elu} is φ(x) = elu(x) + 1 (Katharopoulos et al., 2020, "Transformers are RNNs"), strictly
 * positive so the normalizer φ(q)ᵀz never vanishes; {@code relu} is φ(x) = max(x, 0), which can
 * give a zero normalizer, guarded by the model's eps.
 */
public enum FeatureMap {
  ELU("elu") {
    @Override
    public double apply(double x) {
      return x > 0 ? x + 1 : Math.exp(x);
    }

    @Override
    public void applyInPlace(INDArray x) {
      Transforms.elu(x, false).addi(1.0);
    }
  },
  RELU("relu") {
    @Override
    public double apply(double x) {
      return Math.max(x, 0.0);
    }

    @Override
    public void applyInPlace(INDArray x) {
      Transforms.relu(x, false);
    }
  };

  private final String configName;

  FeatureMap(String configName) {
    this.configName = configName;
  }

  /** The name used in {@code config.json}. */
  public String configName() {
    return configName;
  }

  /** φ of one scalar in double precision: the reference the ND4J path is tested against. */
  public abstract double apply(double x);

  /** Replaces every element of {@code x} by φ(x). */
  public abstract void applyInPlace(INDArray x);

  /** Feature dimension m produced from a head of width {@code dHead}. */
  public int featureDim(int dHead) {
    return dHead;
  }

  public static FeatureMap fromConfigName(String name) {
    for (FeatureMap map : values()) {
      if (map.configName.equals(name)) {
        return map;
      }
    }
    throw new IllegalArgumentException("unknown feature map '" + name + "' (expected one of "
        + Arrays.stream(values()).map(FeatureMap::configName).toList() + ")");
  }

  @Override
  public String toString() {
    return configName.toLowerCase(Locale.ROOT);
  }
}
