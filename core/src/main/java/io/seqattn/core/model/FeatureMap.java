package io.seqattn.core.model;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The kernel feature map φ applied to each query and key, so that exp(qᵀk) is replaced by
 * φ(q)ᵀφ(k). Two families:
 *
 * <ul>
 *   <li>deterministic, elementwise, m = d_head: {@code elu} φ(x) = elu(x) + 1 (Katharopoulos et al.,
 *       2020, "Transformers are RNNs"), strictly positive so the normalizer φ(q)ᵀz never vanishes;
 *       {@code relu} φ(x) = max(x, 0), whose normalizer can be 0 (guarded by eps); {@code identity}
 *       φ(x) = x, whose normalizer can have either sign;</li>
 *   <li>random features approximating the softmax kernel exp(q̂ᵀk̂), x̂ = x·d_head^(−1/4), with m
 *       features from rows ω of the model's {@code omega.npy}: {@code favor+} φ(x) =
 *       exp(ωᵢᵀx̂ − ‖x̂‖²/2)/√m (Choromanski et al., 2021, "Rethinking Attention with Performers"),
 *       positive, unbiased with ω ~ N(0, I); {@code trig} φ(x) = exp(‖x̂‖²/2)·√(2/m)·[cos(ωᵢᵀx̂),
 *       sin(ωᵢᵀx̂)] over m/2 rows ω (random Fourier features, Rahimi and Recht, 2007), also
 *       unbiased, but of either sign, so its normalizer can cross zero.</li>
 * </ul>
 *
 * <p>Why exp(+‖x̂‖²/2) for {@code trig}: E[cos(ωᵀ(q̂ − k̂))] = exp(−‖q̂ − k̂‖²/2) for ω ~ N(0, I)
 * (the Gaussian kernel, which is what cos·cos + sin·sin estimates), and exp(q̂ᵀk̂) = exp(‖q̂‖²/2)·
 * exp(−‖q̂ − k̂‖²/2)·exp(‖k̂‖²/2). Write-ups that use exp(−‖x‖²/2) there estimate
 * exp(q̂ᵀk̂ − ‖q̂‖² − ‖k̂‖²), a different kernel from softmax's.
 */
public enum FeatureMap {
  ELU("elu", Family.DETERMINISTIC, true) {
    @Override
    public double apply(double x) {
      return x > 0 ? x + 1 : Math.exp(x);
    }

    /**
     * As max(x, 0) + exp(min(x, 0)), exact where elu(x) + 1 = (eˣ − 1) + 1 cancels to 0 in float32
     * for x below about −17: with the JDK's vector API when the JVM has it ({@link VectorElu}), else
     * in ND4J ops, still a little faster than ND4J's elu op plus 1 (24–31 against 35 ms for 65,536 ×
     * 64 values on 1 thread).
     */
    @Override
    public void applyInPlace(INDArray x) {
      if (VectorElu.accepts(x)) {
        VectorElu.applyInPlace(x);
        return;
      }
      INDArray negativePart = Nd4j.createUninitialized(x.dataType(), x.shape()).assign(x);
      Transforms.exp(Transforms.min(negativePart, 0.0, false), false);
      Transforms.max(x, 0.0, false).addi(negativePart);
    }
  },
  RELU("relu", Family.DETERMINISTIC, false) {
    @Override
    public double apply(double x) {
      return Math.max(x, 0.0);
    }

    @Override
    public void applyInPlace(INDArray x) {
      Transforms.relu(x, false);
    }
  },
  IDENTITY("identity", Family.DETERMINISTIC, false) {
    @Override
    public double apply(double x) {
      return x;
    }

    @Override
    public void applyInPlace(INDArray x) {
      // φ(x) = x
    }
  },
  FAVOR_PLUS("favor+", Family.RANDOM_FEATURES, true),
  TRIG("trig", Family.RANDOM_FEATURES, false);

  /** Deterministic elementwise maps, or random features drawn into the model's ω. */
  public enum Family {
    DETERMINISTIC,
    RANDOM_FEATURES
  }

  private final String configName;
  private final Family family;
  private final boolean positive;

  FeatureMap(String configName, Family family, boolean positive) {
    this.configName = configName;
    this.family = family;
    this.positive = positive;
  }

  /** The name used in {@code config.json}. */
  public String configName() {
    return configName;
  }

  /** Whether the map needs the random rows ω ({@code omega.npy}). */
  public boolean usesOmega() {
    return family == Family.RANDOM_FEATURES;
  }

  /** Whether every feature is > 0, so that a normalizer φ(q)ᵀz can never be ≤ 0. */
  public boolean isPositive() {
    return positive;
  }

  /** Rows of ω per head for m features: m for favor+, m/2 for trig (a cosine and a sine each). */
  public int omegaRows(int features) {
    return this == TRIG ? features / 2 : features;
  }

  /**
   * Checks a feature count m for a head of width d_head: deterministic maps have m = d_head; trig
   * needs an even m.
   */
  public void checkFeatures(int features, int dHead) {
    if (!usesOmega() && features != dHead) {
      throw new IllegalArgumentException("feature map " + configName + " has m = d_head (" + dHead
          + ") features, got features = " + features);
    }
    if (features < 1 || (this == TRIG && features % 2 != 0)) {
      throw new IllegalArgumentException("features must be " + (this == TRIG ? "an even number >= 2" : ">= 1")
          + " for " + configName + ", got " + features);
    }
  }

  /** φ of one scalar in double precision (deterministic maps): the reference the ND4J path is tested against. */
  public double apply(double x) {
    throw new UnsupportedOperationException(configName + " is not elementwise");
  }

  /** Replaces every element of {@code x} by φ(x) (deterministic maps). */
  public void applyInPlace(INDArray x) {
    throw new UnsupportedOperationException(configName + " is not elementwise");
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
    return configName;
  }
}
