package io.seqattn.core.model;

/** How a token's global position enters its input vector. */
public enum Positional {
  /** Vaswani et al. (2017): PE(p)[2i] = sin(p/10000^(2i/d)), PE(p)[2i+1] = cos(p/10000^(2i/d)). */
  SINUSOIDAL("sinusoidal"),
  /** No positional signal: x_p = E[t_p]. */
  NONE("none");

  private final String configName;

  Positional(String configName) {
    this.configName = configName;
  }

  public String configName() {
    return configName;
  }

  public static Positional fromConfigName(String name) {
    for (Positional p : values()) {
      if (p.configName.equals(name)) {
        return p;
      }
    }
    throw new IllegalArgumentException("unknown positional encoding '" + name + "' (expected sinusoidal or none)");
  }
}
