package io.seqattn.core.mixer;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.linear.CausalLinearAttention;
import io.seqattn.core.mixer.linear.GlobalLinearAttention;
import io.seqattn.core.mixer.linear.LinearAttention;
import io.seqattn.core.mixer.softmax.ExactSoftmax;
import io.seqattn.core.model.ModelConfig;
import java.util.function.Function;

/**
 * The registry of token mixers by the name {@code --attention} takes: each entry builds the mixer a
 * model's config asks for (causal or not). A new mixer is its class and one line here.
 */
public enum Mixers {
  /** The model's kernelized linear attention: global, or causal (decayed) for causal models. */
  LINEAR("linear", Mixers::linear),
  /** Exact softmax attention over the same projections, causal for causal models; O(n²). */
  SOFTMAX("softmax", ExactSoftmax::of);

  private final String name;
  private final Function<ModelConfig, TokenMixer<?>> factory;

  Mixers(String name, Function<ModelConfig, TokenMixer<?>> factory) {
    this.name = name;
    this.factory = factory;
  }

  /**
   * The mixer of this kind for a model.
   *
   * @throws IllegalArgumentException when the model cannot be run with it, saying why
   */
  public TokenMixer<?> of(ModelConfig config) {
    return factory.apply(config);
  }

  /** The model's own linear attention, whose summaries are {@link Summary}: what the SQL functions expose. */
  public static LinearAttention linear(ModelConfig config) {
    return config.causal() ? new CausalLinearAttention() : new GlobalLinearAttention();
  }

  /** The name {@code --attention} and run.json use. */
  @Override
  public String toString() {
    return name;
  }
}
