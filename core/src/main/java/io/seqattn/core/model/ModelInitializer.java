package io.seqattn.core.model;

import io.seqattn.core.features.OrthogonalFeatures;
import io.seqattn.core.random.Gaussian;
import java.util.SplittableRandom;

/**
 * Seeded random models: embeddings ~ N(0, 1), projections ~ N(0, 1/d_model) so q, k, v have
 * unit-scale entries, {@code wo} ~ N(0, 1/(heads·d_head)) when asked for, and for random-feature
 * maps ω drawn as {@link OrthogonalFeatures} per head. The same seed gives the same weights on
 * every machine ({@link Gaussian}).
 */
public final class ModelInitializer {
  private ModelInitializer() {}

  /** A seeded random model; {@code dOut} 0 for none. */
  public static Model random(ModelConfig config, int dOut, long seed) {
    SplittableRandom root = new SplittableRandom(seed);
    int d = config.dModel();
    int inner = config.innerDim();
    float[] embedding = Gaussian.array(root.split(), (long) config.tokenizer().vocabularySize() * d, 1.0);
    double projScale = 1.0 / Math.sqrt(d);
    float[] wq = Gaussian.array(root.split(), (long) d * inner, projScale);
    float[] wk = Gaussian.array(root.split(), (long) d * inner, projScale);
    float[] wv = Gaussian.array(root.split(), (long) d * inner, projScale);
    float[] wo = dOut > 0 ? Gaussian.array(root.split(), (long) inner * dOut, 1.0 / Math.sqrt(inner)) : null;
    float[] omega = config.featureMap().usesOmega() ? drawOmega(config, root.split()) : null;
    return new Model(config, embedding, wq, wk, wv, wo, dOut, omega);
  }

  /** ω for every head of the config, [heads, rows, d_head]. */
  static float[] drawOmega(ModelConfig config, SplittableRandom random) {
    int rows = config.featureMap().omegaRows(config.features());
    int d = config.dHead();
    float[] omega = new float[config.heads() * rows * d];
    for (int h = 0; h < config.heads(); h++) {
      System.arraycopy(OrthogonalFeatures.draw(rows, d, random.split()), 0, omega, h * rows * d, rows * d);
    }
    return omega;
  }
}
