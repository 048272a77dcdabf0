package io.seqattn.core.model;

import io.seqattn.core.features.FeatureMap;
import java.util.SplittableRandom;

/**
 * A model's weights under other settings, for the approximation study: another feature map (with
 * its own ω), scaled queries and keys, another config of the same shapes.
 */
public final class ModelVariants {
  private ModelVariants() {}

  /** The model with another feature map, m and ω drawn from {@code omegaSeed}. */
  public static Model withFeatureMap(Model model, FeatureMap map, int features, long omegaSeed) {
    ModelConfig other = model.config().withFeatureMap(map, features);
    float[] omega = map.usesOmega() ? ModelInitializer.drawOmega(other, new SplittableRandom(omegaSeed)) : null;
    return new Model(other, model.embedding(), model.wq(), model.wk(), model.wv(), model.wo(), model.dOut(), omega);
  }

  /**
   * The model with Wq and Wk multiplied by {@code factor}, so every softmax logit qᵀk/√d_head
   * scales by factor²: how the study moves between small and large logits.
   */
  public static Model withScaledQueriesAndKeys(Model model, float factor) {
    float[] scaledQ = model.wq().clone();
    float[] scaledK = model.wk().clone();
    for (int i = 0; i < scaledQ.length; i++) {
      scaledQ[i] *= factor;
      scaledK[i] *= factor;
    }
    return new Model(model.config(), model.embedding(), scaledQ, scaledK, model.wv(), model.wo(), model.dOut(),
        model.omega());
  }

  /** The same weights under another config of the same shapes (e.g. as a global model). */
  public static Model withConfig(Model model, ModelConfig other) {
    return new Model(other, model.embedding(), model.wq(), model.wk(), model.wv(), model.wo(), model.dOut(),
        model.omega());
  }
}
