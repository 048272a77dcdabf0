package io.seqattn.core.features;

import java.io.Serializable;

/**
 * The kernel feature map φ applied to each query and key, so that exp(qᵀk) is replaced by
 * φ(q)ᵀφ(k). Two families, one interface each, so that a kernel handles a map through what its
 * family can do and the compiler lists every place a new family must be taught:
 *
 * <ul>
 *   <li>{@link ElementwiseFeatureMap}: deterministic, φ applied to each coordinate, m = d_head
 *       features ({@link Elu}, {@link Relu}, {@link Identity});</li>
 *   <li>{@link RandomFeatureMap}: m random features approximating the softmax kernel exp(q̂ᵀk̂),
 *       x̂ = x·d_head^(−1/4), from rows ω of the model's {@code omega.npy} ({@link FavorPlus},
 *       {@link Trig}).</li>
 * </ul>
 *
 * Maps are values (records without state) chosen by name through {@link FeatureMaps}; on ND4J a
 * kernel works with a map through the {@link FeatureKernel} it binds ({@link #bind}).
 */
public sealed interface FeatureMap extends Serializable permits ElementwiseFeatureMap, RandomFeatureMap {

  /** The name used in {@code config.json}. */
  String name();

  /** Whether every feature is > 0, so that a normalizer φ(q)ᵀz can never be ≤ 0. */
  boolean isPositive();

  /** Whether the map needs the random rows ω ({@code omega.npy}). */
  boolean usesOmega();

  /** Rows of ω per head for m features (0 for maps without ω). */
  int omegaRows(int features);

  /** The feature count m a model gets when its config names none. */
  int defaultFeatures(int dHead);

  /**
   * Checks a feature count m for a head of width d_head.
   *
   * @throws IllegalArgumentException saying which counts the map takes
   */
  void checkFeatures(int features, int dHead);

  /**
   * The ND4J form of this map for one kernel: for every head, the features of [n, d_head] queries
   * and keys. {@code omega} is the model's ω, [heads, rows, d_head] row-major, or null for maps
   * without ω.
   */
  FeatureKernel bind(float[] omega, int heads, int dHead, int features);

  /**
   * φ(q_h) of one raw query head in double, for readouts ({@code q[offset, offset + d_head)}):
   * fills {@code phi} [m] with φ̃ and returns its log-scale s, φ = e^s·φ̃ (0 for elementwise maps).
   *
   * @param omega ω of this head, [rows, d_head] from {@code omegaOffset}, or null
   */
  double queryFeatures(float[] q, int offset, int dHead, float[] omega, int omegaOffset, double[] phi);
}
