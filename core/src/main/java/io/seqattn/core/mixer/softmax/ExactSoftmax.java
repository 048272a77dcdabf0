package io.seqattn.core.mixer.softmax;

import io.seqattn.core.attention.Semigroup;
import io.seqattn.core.mixer.CrossChunk;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.mixer.TokenMixer;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * Exact softmax attention over the model's raw projections, the reference linear attention
 * approximates: O_i = Σ_j softmax_j(q_iᵀk_j / √d_head)·v_j per head, over every position of the
 * sequence, or over j ≤ i for a causal model. A chunk's summary is its tokens ({@link SequenceKeys}),
 * so the per-sequence reduction in chunk order yields the whole sequence, against which every chunk's
 * queries are read. Cost is O(n²·d): sequences above {@link #MAX_TOKENS} are refused unless forced.
 * Decay is not defined for softmax.
 */
public final class ExactSoftmax implements TokenMixer<SequenceKeys> {

  /**
   * The longest sequence taken without being forced: the cost grows as n², about 4·n²·d_model
   * flops (n = 65,536, d_model = 64: 1.1 TFLOP, tens of seconds on two cores).
   */
  public static final long MAX_TOKENS = 65_536;

  private final boolean causal;

  private ExactSoftmax(boolean causal) {
    this.causal = causal;
  }

  /**
   * Exact softmax over the projections of a model, causal when the model is.
   *
   * @throws IllegalArgumentException for a decayed model
   */
  public static ExactSoftmax of(ModelConfig config) {
    if (config.decay() != null) {
      throw new IllegalArgumentException("the model has a decay, and softmax attention has no decayed form");
    }
    return new ExactSoftmax(config.causal());
  }

  @Override
  public String attention() {
    return "softmax";
  }

  @Override
  public String mode() {
    return causal ? "causal" : "global";
  }

  @Override
  public CrossChunk crossChunk() {
    return CrossChunk.REDUCTION;
  }

  @Override
  public Semigroup<SequenceKeys> semigroup() {
    return SequenceKeys.CONCATENATION;
  }

  @Override
  public long tokens(SequenceKeys summary) {
    return summary.tokens().length;
  }

  @Override
  public MixerKernel<SequenceKeys> newKernel(Model model) {
    return new ExactSoftmaxKernel(model, causal);
  }

  @Override
  public String cannotContinue() {
    return "needs a stored state, and exact softmax attention keeps none (drop --continue-from)";
  }

  @Override
  public long lengthLimit() {
    return MAX_TOKENS;
  }

  @Override
  public String lengthLimitReason() {
    return "exact softmax attention costs O(n²)";
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ExactSoftmax s && s.causal == causal;
  }

  @Override
  public int hashCode() {
    return Boolean.hashCode(causal);
  }
}
