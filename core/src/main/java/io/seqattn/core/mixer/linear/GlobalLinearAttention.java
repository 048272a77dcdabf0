package io.seqattn.core.mixer.linear;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.CrossChunk;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.model.Model;

/**
 * Global linear attention (Katharopoulos et al., 2020): every position of a sequence sees every
 * other, O_i = φ(q_i)ᵀS / (φ(q_i)ᵀz + eps) with S = Σ_j φ(k_j)v_jᵀ and z = Σ_j φ(k_j) over the whole
 * sequence. Chunk summaries are those sums ({@link Summary}, merged by addition: associative and
 * commutative), reduced per sequence in chunk order; every chunk is then read out against the
 * total, which is the sequence's state.
 */
public final class GlobalLinearAttention extends LinearAttention {

  @Override
  public String mode() {
    return "global";
  }

  @Override
  public CrossChunk crossChunk() {
    return CrossChunk.REDUCTION;
  }

  @Override
  public MixerKernel<Summary> newKernel(Model model) {
    return new GlobalLinearKernel(model);
  }

  @Override
  public String cannotContinue() {
    return "needs a causal model: a global state depends on the whole sequence, so a global run cannot be resumed";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GlobalLinearAttention;
  }

  @Override
  public int hashCode() {
    return GlobalLinearAttention.class.hashCode();
  }
}
