package io.seqattn.core.features;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A feature map bound to one kernel: the features of every head's queries and keys on ND4J, in
 * float32, for a chunk's [n, heads·d_head] projections. Elementwise maps transform the projections
 * in place, all heads at once ({@link #prepareKeys}, {@link #prepareQueries}), and a head's
 * features are a view of them; random-feature maps compute each head's [n, m] features into a
 * scratch array, stabilized in log space: φ = e^s·φ̃ with one log-scale per chunk for keys (so
 * summaries merge exactly) and one per row for queries. Not thread-safe, like the kernel that
 * owns it.
 */
public interface FeatureKernel {

  /** A head's key features and their log-scale c: φ(K_h) = e^c·{@code features} (c = −∞: no key present). */
  record KeyFeatures(INDArray features, double logScale) {}

  /** A head's query features and their per-row log-scales s, [n, 1], or null for scale 1 (elementwise maps). */
  record QueryFeatures(INDArray features, INDArray rowLogScale) {}

  /** A [n, m] array in the current workspace for {@link #keys} and {@link #queries} to fill, or null when they need none. */
  INDArray scratch(int n);

  /** Prepares all heads' keys [n, heads·d_head] in place; absent positions ({@code present} 0) get no key. */
  void prepareKeys(INDArray keys, INDArray present);

  /** Prepares all heads' queries [n, heads·d_head] in place. */
  void prepareQueries(INDArray queries);

  /** Head h's key features from the prepared keys ({@code present}: [n, 1] of 1/0, or null for all). */
  KeyFeatures keys(int h, INDArray keys, INDArray present, INDArray scratch);

  /** Head h's query features from the prepared queries. */
  QueryFeatures queries(int h, INDArray queries, INDArray scratch);
}
