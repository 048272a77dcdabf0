package io.seqattn.bench;

import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;

/**
 * A model shape as written in benchmark parameters, {@code d_model x heads x d_head}, and the
 * useful floating-point work per token of each kernel step for it: the multiply-adds of the
 * matrix products (2 flops each), not counting elementwise work.
 */
record Shape(int dModel, int heads, int dHead) {

  static Shape parse(String text) {
    String[] p = text.split("x");
    return new Shape(Integer.parseInt(p[0]), Integer.parseInt(p[1]), Integer.parseInt(p[2]));
  }

  ModelConfig config(FeatureMap map) {
    return new ModelConfig(TokenizerSpec.dna(3, 1), dModel, heads, dHead, map, Positional.SINUSOIDAL, 1e-6);
  }

  int inner() {
    return heads * dHead;
  }

  /** Features per head: d_head for the deterministic maps, the default 4·d_head for favor+ and trig. */
  int features(FeatureMap map) {
    return config(map).features();
  }

  /** The random-feature projection ωᵀx̂ of one query or key, all heads (0 for deterministic maps). */
  double omegaFlops(FeatureMap map) {
    return map.usesOmega() ? 2.0 * heads * dHead * map.omegaRows(features(map)) : 0;
  }

  /** Pass 1: the [K | V] projection, ω for random features, φ(K)ᵀV and φ(K)ᵀ1. */
  double pass1Flops(FeatureMap map) {
    int m = features(map);
    return 2.0 * dModel * 2 * inner() + omegaFlops(map) + 2.0 * heads * m * dHead + 2.0 * heads * m;
  }

  /** Global pass 2: the Q projection, ω for random features, and φ(Q)·[S | z] per head. */
  double pass2Flops(FeatureMap map) {
    return 2.0 * dModel * inner() + omegaFlops(map) + 2.0 * heads * features(map) * (dHead + 1);
  }

  /** Causal pass 2 with blocks of {@code block}: projections, intra-block products, block states, carried state. */
  double causalPass2Flops(FeatureMap map, int block) {
    int m = features(map);
    return 2.0 * dModel * 3 * inner() + 2 * omegaFlops(map)
        + heads * (2.0 * block * (m + dHead + 1) + 2 * 2.0 * m * (dHead + 1));
  }
}
