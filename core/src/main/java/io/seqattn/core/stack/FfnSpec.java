package io.seqattn.core.stack;

import java.io.Serializable;

/**
 * A block's feed-forward layer over rows of width d: SwiGLU (silu(A·W_gate) ⊙ A·W_up)·W_down, or a
 * GELU MLP gelu(A·W1 + b1)·W2 + b2 with the tanh form of gelu; f = {@code dFf} hidden units.
 */
public record FfnSpec(Kind kind, int dFf) implements Serializable {

  /** The feed-forward layers, by their config.json names. */
  public enum Kind {
    SWIGLU("swiglu"),
    GELU("gelu");

    private final String configName;

    Kind(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    public static Kind fromConfigName(String name) {
      for (Kind k : values()) {
        if (k.configName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown ffn '" + name + "' (expected swiglu or gelu)");
    }
  }

  public FfnSpec {
    if (kind == null) {
      throw new IllegalArgumentException("an ffn needs a type");
    }
    if (dFf < 1) {
      throw new IllegalArgumentException("ffn.d_ff must be >= 1, got " + dFf);
    }
  }
}
