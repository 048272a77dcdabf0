package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Random features approximating the softmax kernel exp(q̂ᵀk̂), x̂ = x·d_head^(−1/4), from m random
 * features over rows ω of the model's {@code omega.npy} (drawn once as {@link OrthogonalFeatures},
 * part of the model). Everything is computed in log space and returned stabilized, so no
 * exponential overflows float32; the shared part — ‖x̂‖²/2, the per-chunk stabilizer of the keys,
 * the map's constant factor — is {@link RandomFeatureKernel}'s. A map supplies its transforms of
 * keys and queries (ND4J) and of one query (double, for readouts), its constant and its ω rows.
 */
public non-sealed interface RandomFeatureMap extends FeatureMap {

  /** Random-feature maps default to m = 4·d_head features. */
  int DEFAULT_FEATURES_PER_D_HEAD = 4;

  /** ln of the map's constant factor for m features (−½·ln m for favor+, ½·ln(2/m) for trig). */
  double logNorm(int features);

  /**
   * Keys of one head: fills {@code out} [n, m] and returns the log-weights to stabilize them by —
   * {@code out} itself when the features are exponentials, or a [n, 1] column of per-key
   * amplitudes. Absent keys get −∞ there ({@code logPresent}: [n, 1] of 0/−∞, or null).
   *
   * @param omega this head's ω·d_head^(−1/4), [rows, d_head]
   * @param halfNorm ‖x̂‖²/2 of every key, [n, 1]
   */
  INDArray keyLogWeights(INDArray k, INDArray omega, INDArray out, INDArray halfNorm, INDArray logPresent);

  /** Once the log-weights are exponentiated in place (shifted by their largest value), finishes {@code out}. */
  void weighKeys(INDArray out, INDArray weights);

  /**
   * Queries of one head: fills {@code out} [n, m] with φ̃ and returns each row's log-scale without
   * the map's constant, [n, 1].
   */
  INDArray queryRows(INDArray q, INDArray omega, INDArray out, INDArray halfNorm);

  /**
   * One query in double: from ω'x̂ of every ω row ({@code dots}) and ‖x̂‖²/2, fills {@code phi} with
   * φ̃ and returns its log-scale without the map's constant.
   */
  double queryFeatures(double[] dots, double halfNorm, double[] phi);

  @Override
  default boolean usesOmega() {
    return true;
  }

  @Override
  default int defaultFeatures(int dHead) {
    return DEFAULT_FEATURES_PER_D_HEAD * dHead;
  }

  @Override
  default FeatureKernel bind(float[] omega, int heads, int dHead, int features) {
    return new RandomFeatureKernel(this, omega, heads, dHead, features);
  }

  @Override
  default double queryFeatures(float[] q, int offset, int dHead, float[] omega, int omegaOffset, double[] phi) {
    int rows = omegaRows(phi.length);
    double scale = Math.pow(dHead, -0.25);
    double halfNorm = 0;
    for (int f = 0; f < dHead; f++) {
      halfNorm += q[offset + f] * scale * q[offset + f] * scale / 2;
    }
    double[] dots = new double[rows];
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < dHead; f++) {
        dots[r] += omega[omegaOffset + r * dHead + f] * q[offset + f] * scale;
      }
    }
    return queryFeatures(dots, halfNorm, phi) + logNorm(phi.length);
  }
}
