package io.seqattn.core.mixer.linear;

import io.seqattn.core.attention.Semigroup;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.TokenMixer;

/**
 * What the two linear-attention mixers have in common: their summary is the linear-attention
 * {@link Summary} — (S, z) with a log-decay and a log-scale per head, merged by
 * {@link Summary#MERGE} (associative; not commutative with decay) — and a sequence's total is its
 * state, stored in {@code states/}. They differ in how the engine combines summaries across chunks
 * and in how a chunk is read out.
 */
public abstract sealed class LinearAttention implements TokenMixer<Summary>
    permits GlobalLinearAttention, CausalLinearAttention {

  @Override
  public final String attention() {
    return "linear";
  }

  @Override
  public final Semigroup<Summary> semigroup() {
    return Summary.MERGE;
  }

  @Override
  public final long tokens(Summary summary) {
    return summary.tokens();
  }

  @Override
  public final boolean storesState() {
    return true;
  }

  @Override
  public final Summary state(Summary merged) {
    return merged;
  }
}
