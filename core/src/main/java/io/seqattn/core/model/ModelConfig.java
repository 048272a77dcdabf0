package io.seqattn.core.model;

import io.seqattn.core.features.FeatureMap;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Objects;

/**
 * Everything a model is but its weights (the {@code config.json} of a model directory, read and
 * written by {@link ModelConfigJson}): tokenizer, widths, feature map with its m features,
 * positional encoding, eps, and whether attention is causal, with an optional decay γ per head.
 * The constructor checks every field and completes m with the map's default, so a config that
 * exists is valid; derived values ({@link #innerDim}, {@link #decayPerHead}) are computed from it.
 */
public record ModelConfig(
    TokenizerSpec tokenizer,
    int dModel,
    int heads,
    int dHead,
    FeatureMap featureMap,
    Positional positional,
    double eps,
    boolean causal,
    double[] decay,
    int features) implements Serializable {

  public static final String FILE_NAME = "config.json";

  /**
   * @param decay γ_h per head in (0, 1], or null for none (needs {@code causal})
   * @param features m, or 0 for the map's default
   */
  public ModelConfig {
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(featureMap, "featureMap");
    Objects.requireNonNull(positional, "positional");
    requirePositive("d_model", dModel);
    requirePositive("heads", heads);
    requirePositive("d_head", dHead);
    if (positional == Positional.SINUSOIDAL && dModel % 2 != 0) {
      throw new IllegalArgumentException("d_model must be even for sinusoidal positions, got " + dModel);
    }
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
    }
    if (features == 0) {
      features = featureMap.defaultFeatures(dHead);
    }
    featureMap.checkFeatures(features, dHead);
    if (decay != null) {
      if (!causal) {
        throw new IllegalArgumentException("decay needs causal: true (a decayed state is defined by token order)");
      }
      if (decay.length != heads) {
        throw new IllegalArgumentException("decay must have one value per head (" + heads + "), got " + decay.length);
      }
      for (double g : decay) {
        if (!(g > 0 && g <= 1)) {
          throw new IllegalArgumentException("decay values must be in (0, 1], got " + g);
        }
      }
      decay = decay.clone();
    }
  }

  /** A global (non-causal) model with the map's default m. */
  public ModelConfig(TokenizerSpec tokenizer, int dModel, int heads, int dHead, FeatureMap featureMap,
      Positional positional, double eps) {
    this(tokenizer, dModel, heads, dHead, featureMap, positional, eps, false, null, 0);
  }

  /** With the map's default m. */
  public ModelConfig(TokenizerSpec tokenizer, int dModel, int heads, int dHead, FeatureMap featureMap,
      Positional positional, double eps, boolean causal, double[] decay) {
    this(tokenizer, dModel, heads, dHead, featureMap, positional, eps, causal, decay, 0);
  }

  /** The same model made causal, with an optional per-head decay γ (null for none). */
  public ModelConfig withCausal(double[] perHeadDecay) {
    return new ModelConfig(tokenizer, dModel, heads, dHead, featureMap, positional, eps, true, perHeadDecay, features);
  }

  /** The same model with another feature map and m (0 = the map's default). */
  public ModelConfig withFeatureMap(FeatureMap map, int m) {
    return new ModelConfig(tokenizer, dModel, heads, dHead, map, positional, eps, causal, decay, m);
  }

  /** The same model as a global (non-causal, undecayed) one. */
  public ModelConfig asGlobal() {
    return new ModelConfig(tokenizer, dModel, heads, dHead, featureMap, positional, eps, false, null, features);
  }

  /** Per-head decay γ_h, all 1 when the model has none. */
  public double[] decayPerHead() {
    if (decay == null) {
      double[] ones = new double[heads];
      Arrays.fill(ones, 1.0);
      return ones;
    }
    return decay.clone();
  }

  @Override
  public double[] decay() {
    return decay == null ? null : decay.clone();
  }

  /** Width of the concatenated heads, heads·d_head. */
  public int innerDim() {
    return heads * dHead;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && tokenizer.equals(c.tokenizer) && dModel == c.dModel && heads == c.heads
        && dHead == c.dHead && featureMap.equals(c.featureMap) && positional == c.positional
        && Double.compare(eps, c.eps) == 0 && causal == c.causal && Arrays.equals(decay, c.decay)
        && features == c.features;
  }

  @Override
  public int hashCode() {
    return Objects.hash(tokenizer, dModel, heads, dHead, featureMap, positional, eps, causal, features) * 31
        + Arrays.hashCode(decay);
  }

  @Override
  public String toString() {
    return ModelConfigJson.toJson(this).replaceAll("\\s+", " ").strip();
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }
}
