package io.seqattn.core.stack;

import java.io.Serializable;

/**
 * A normalization of each row x ∈ ℝ^d: RMSNorm(x) = x / √(mean(x²) + eps) ⊙ w, or LayerNorm(x) =
 * (x − mean(x)) / √(var(x) + eps) ⊙ w + b with the biased variance.
 */
public record NormSpec(Kind kind, double eps) implements Serializable {

  /** The norms, by their config.json names. */
  public enum Kind {
    RMSNORM("rmsnorm"),
    LAYERNORM("layernorm");

    private final String configName;

    Kind(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    /** Whether the norm has a bias b beside its weight w. */
    public boolean hasBias() {
      return this == LAYERNORM;
    }

    public static Kind fromConfigName(String name) {
      for (Kind k : values()) {
        if (k.configName.equals(name)) {
          return k;
        }
      }
      throw new IllegalArgumentException("unknown norm '" + name + "' (expected rmsnorm or layernorm)");
    }
  }

  public NormSpec {
    if (kind == null) {
      throw new IllegalArgumentException("a norm needs a type");
    }
    if (!(eps > 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("norm eps must be a finite number > 0, got " + eps);
    }
  }

  public static NormSpec rms(double eps) {
    return new NormSpec(Kind.RMSNORM, eps);
  }
}
