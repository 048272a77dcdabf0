package io.seqattn.bench;

import io.seqattn.core.model.FeatureMap;
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
    return new ModelConfig(1, TokenizerSpec.dna(3, 1), dModel, heads, dHead, map, Positional.SINUSOIDAL, 1e-6);
  }

  int inner() {
    return heads * dHead;
  }

  /** Pass 1: the [K | V] projection, φ(K)ᵀV and φ(K)ᵀ1. */
  double pass1Flops() {
    return 2.0 * dModel * 2 * inner() + 2.0 * inner() * dHead + 2.0 * inner();
  }

  /** Global pass 2: the Q projection and φ(Q)·[S | z] per head. */
  double pass2Flops() {
    return 2.0 * dModel * inner() + 2.0 * inner() * (dHead + 1);
  }

  /** Causal pass 2 with blocks of {@code block}: projections, intra-block products, block states, carried state. */
  double causalPass2Flops(int block) {
    return 2.0 * dModel * 3 * inner() + heads * (2.0 * block * (dHead + dHead + 1) + 2 * 2.0 * dHead * (dHead + 1));
  }
}
