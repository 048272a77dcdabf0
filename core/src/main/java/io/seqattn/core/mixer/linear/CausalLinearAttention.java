package io.seqattn.core.mixer.linear;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.CrossChunk;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.model.Model;

/**
 * Causal linear attention, optionally decayed (RetNet): position t sees j ≤ t, each key weighted by
 * γ_h^(t−j) — the recurrence S_t = γ·S_(t−1) + φ(k_t)v_tᵀ, z_t = γ·z_(t−1) + φ(k_t), O_t =
 * φ(q_t)ᵀS_t / (φ(q_t)ᵀz_t + eps). A chunk's summary is the map it applies to the state
 * ({@link Summary}: associative, <b>not commutative</b> with decay), scanned exclusively in chunk
 * order so each chunk is read out against the state before it; the total is the sequence's final
 * state, from which a later run can continue the sequence.
 */
public final class CausalLinearAttention extends LinearAttention {
  /** The default causal block: large enough for efficient GEMMs, small enough that B² ≪ B·d. */
  public static final int DEFAULT_BLOCK_SIZE = 128;

  private final int blockSize;

  public CausalLinearAttention() {
    this(DEFAULT_BLOCK_SIZE);
  }

  /** With blocks of {@code blockSize} tokens inside a chunk (results differ only by float rounding). */
  public CausalLinearAttention(int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
    }
    this.blockSize = blockSize;
  }

  @Override
  public String mode() {
    return "causal";
  }

  @Override
  public CrossChunk crossChunk() {
    return CrossChunk.ORDERED_SCAN;
  }

  @Override
  public MixerKernel<Summary> newKernel(Model model) {
    return new CausalLinearKernel(model, blockSize);
  }

  @Override
  public String cannotContinue() {
    return null;
  }

  @Override
  public Summary resume(Summary stored) {
    return stored;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CausalLinearAttention c && c.blockSize == blockSize;
  }

  @Override
  public int hashCode() {
    return blockSize;
  }
}
