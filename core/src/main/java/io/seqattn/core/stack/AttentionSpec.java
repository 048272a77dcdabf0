package io.seqattn.core.stack;

import io.seqattn.core.features.ElementwiseFeatureMap;
import io.seqattn.core.features.FeatureMap;
import java.io.Serializable;
import java.util.Objects;

/**
 * A block's linear-attention mixer (docs/model-format-2.md): H heads of query/key width d_k and
 * value width d_v, the feature map φ with m features, an optional query scale, rotary positions on
 * the features, the normalizer, causality and its gate, an optional per-head output norm and
 * output gate, and an optional short causal convolution on the projections. The constructor
 * checks the combinations the format refuses.
 *
 * @param features m, or 0 for the map's default
 * @param normalizedByZ {@code normalizer: z} (O = num/(den + eps)), else {@code none} (O = num)
 * @param outputNorm the per-head RMSNorm of the output, or null
 * @param shortConv the short convolution on q, k and v, or null
 * @param window w ≥ 1: exact softmax attention over the last w positions added to the output
 *     (causal mixers only); 0 for none
 */
public record AttentionSpec(int heads, int dKey, int dValue, FeatureMap featureMap, int features, double queryScale,
    boolean rope, boolean normalizedByZ, double eps, boolean causal, GateSpec gate, NormSpec outputNorm,
    boolean outputGate, ShortConvSpec shortConv, int window) implements Serializable {
  /** The longest window: its w − 1 keys before a chunk travel with the chunk as its halo. */
  public static final int MAX_WINDOW = 4096;

  public AttentionSpec {
    Objects.requireNonNull(featureMap, "feature_map");
    Objects.requireNonNull(gate, "gate");
    require(heads >= 1, "mixer.heads must be >= 1, got " + heads);
    require(dKey >= 1, "mixer.d_key must be >= 1, got " + dKey);
    require(dValue >= 1, "mixer.d_value must be >= 1, got " + dValue);
    if (features == 0) {
      features = featureMap.defaultFeatures(dKey);
    }
    featureMap.checkFeatures(features, dKey);
    require(Double.isFinite(queryScale) && queryScale != 0, "mixer.query_scale must be a finite non-zero number, got "
        + queryScale);
    require(eps >= 0 && Double.isFinite(eps), "mixer.eps must be a finite number >= 0, got " + eps);
    if (rope) {
      require(featureMap instanceof ElementwiseFeatureMap, "mixer.rope needs an elementwise feature map (elu, relu, "
          + "identity), not " + featureMap);
      require(features % 2 == 0, "mixer.rope needs an even number of features, got " + features);
    }
    require(causal || gate instanceof GateSpec.None, "mixer.gate '" + gate.name() + "' needs causal: true (a decayed "
        + "state is defined by token order)");
    if (gate instanceof GateSpec.Constant c) {
      require(c.decay().length == heads, "mixer.gate.decay must have one value per head (" + heads + "), got "
          + c.decay().length);
    }
    if (gate instanceof GateSpec.Gla) {
      require(featureMap instanceof ElementwiseFeatureMap, "mixer.gate 'gla' decays each key dimension, so it needs "
          + "an elementwise feature map (m = d_key), not " + featureMap);
    }
    if (outputNorm != null) {
      require(outputNorm.kind() == NormSpec.Kind.RMSNORM, "mixer.output_norm must be an rmsnorm");
    }
    require(window >= 0 && window <= MAX_WINDOW, "mixer.window must be in 0.." + MAX_WINDOW + ", got " + window);
    require(window == 0 || causal, "mixer.window needs causal: true (a bidirectional window, which reads the chunk "
        + "after, is not built)");
  }

  /** A mixer without a short convolution or window (every field of the format before {@code short_conv}). */
  public AttentionSpec(int heads, int dKey, int dValue, FeatureMap featureMap, int features, double queryScale,
      boolean rope, boolean normalizedByZ, double eps, boolean causal, GateSpec gate, NormSpec outputNorm,
      boolean outputGate) {
    this(heads, dKey, dValue, featureMap, features, queryScale, rope, normalizedByZ, eps, causal, gate, outputNorm,
        outputGate, null, 0);
  }

  /**
   * The rows before a chunk this mixer reads: the w − 1 earlier keys of its window, and the K − 1
   * rows its short convolution reads before the first of them; 0 for neither.
   */
  public int haloRows() {
    return (window == 0 ? 0 : window - 1) + (shortConv == null ? 0 : shortConv.haloRows());
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** H·d_k, the width of the queries and keys. */
  public int keyWidth() {
    return heads * dKey;
  }

  /** H·d_v, the width of the values and the output before W_o. */
  public int valueWidth() {
    return heads * dValue;
  }
}
