package io.seqattn.core.stack;

import java.io.Serializable;
import java.util.Objects;

/**
 * One pre-norm block: A = Norm1(X); H = X + Mixer(A); Y = H + FFN(Norm2(H)), or Y = H without an
 * FFN. Both norms are of the kind {@code norm} says.
 *
 * @param ffn the feed-forward layer, or null for none
 */
public record BlockSpec(NormSpec norm, AttentionSpec mixer, FfnSpec ffn) implements Serializable {
  public BlockSpec {
    Objects.requireNonNull(norm, "norm");
    Objects.requireNonNull(mixer, "mixer");
  }
}
