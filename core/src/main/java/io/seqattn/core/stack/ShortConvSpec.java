package io.seqattn.core.stack;

import java.io.Serializable;
import java.util.Objects;

/**
 * A mixer's short causal convolution (H3, Mamba, GLA's {@code use_short_conv}): depthwise, over
 * the sequence, of kernel K ≤ {@value #MAX_KERNEL}, on each of the projections u = A·W_q, A·W_k,
 * A·W_v before the feature map, then an optional SiLU:
 *
 * <pre>
 *   ũ_t[c] = Σ_(j=0)^(K−1) w[c, j] · u_(t−K+1+j)[c] · present_(t−K+1+j),   u_t = 0 for t &lt; 0
 *   q = s · act(ũ_q),  k = act(ũ_k),  v = act(ũ_v)                        act = silu or identity
 * </pre>
 *
 * Tap K − 1 multiplies the current position, as PyTorch's {@code Conv1d(C, C, K, groups=C,
 * padding=K−1)} truncated to the first n outputs does, so its weights [C, 1, K] are ours squeezed.
 * An absent position adds nothing (its row is 0). A chunk needs the K − 1 rows of the block's
 * input before it, its halo (docs/model-format-2.md).
 */
public record ShortConvSpec(int kernel, Activation activation) implements Serializable {
  /** The longest kernel taken: the convolution is K row operations per chunk, and K − 1 rows of halo. */
  public static final int MAX_KERNEL = 8;

  /** What follows the convolution, by its config.json name. */
  public enum Activation {
    SILU("silu"),
    IDENTITY("identity");

    private final String configName;

    Activation(String configName) {
      this.configName = configName;
    }

    public String configName() {
      return configName;
    }

    public static Activation fromConfigName(String name, String path) {
      for (Activation a : values()) {
        if (a.configName.equals(name)) {
          return a;
        }
      }
      throw new IllegalArgumentException("unknown " + path + " '" + name + "' (expected silu or identity)");
    }
  }

  public ShortConvSpec {
    Objects.requireNonNull(activation, "short_conv.activation");
    if (kernel < 2 || kernel > MAX_KERNEL) {
      throw new IllegalArgumentException("mixer.short_conv.kernel must be in 2.." + MAX_KERNEL + ", got " + kernel);
    }
  }

  /** K − 1: the rows before a chunk its first output reads. */
  public int haloRows() {
    return kernel - 1;
  }
}
