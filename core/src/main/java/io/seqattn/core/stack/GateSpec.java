package io.seqattn.core.stack;

import java.io.Serializable;

/**
 * How a causal linear-attention state forgets: a log-decay g_t ≤ 0 per head and key dimension at
 * every position, S_t = diag(e^(g_t))·S_(t−1) + φ(k_t)v_tᵀ. {@link None}: g = 0; {@link Constant}:
 * g = ln γ_h (RetNet); {@link Gla}: g = logsigmoid(A·W1·W2 + b)/τ per key dimension (Yang et al.,
 * 2023); {@link Scalar}: g = −exp(a_log_h)·softplus(A·w_dt,h + b_dt,h) per head (Mamba2's SSD form).
 */
public sealed interface GateSpec extends Serializable
    permits GateSpec.None, GateSpec.Constant, GateSpec.Gla, GateSpec.Scalar {

  /** The gates, for exhaustive switches (Java 17 has no pattern switch over a sealed type). */
  enum Kind { NONE, CONSTANT, GLA, SCALAR }

  Kind kind();

  /** The config.json name of the gate. */
  default String name() {
    return kind().name().toLowerCase(java.util.Locale.ROOT);
  }

  /** Whether g differs from position to position (computed from the data). */
  default boolean dataDependent() {
    return false;
  }

  /** No gate: the state only accumulates. */
  record None() implements GateSpec {
    @Override
    public Kind kind() {
      return Kind.NONE;
    }
  }

  /** A constant decay γ_h ∈ (0, 1] per head. */
  record Constant(double[] decay) implements GateSpec {
    public Constant {
      if (decay == null || decay.length == 0) {
        throw new IllegalArgumentException("a constant gate needs 'decay', one value per head");
      }
      for (double g : decay) {
        if (!(g > 0 && g <= 1)) {
          throw new IllegalArgumentException("decay values must be in (0, 1], got " + g);
        }
      }
      decay = decay.clone();
    }

    @Override
    public double[] decay() {
      return decay.clone();
    }

    @Override
    public Kind kind() {
      return Kind.CONSTANT;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Constant c && java.util.Arrays.equals(decay, c.decay);
    }

    @Override
    public int hashCode() {
      return java.util.Arrays.hashCode(decay);
    }
  }

  /** GLA's low-rank gate: rank r of W1·W2, and the temperature τ (16 in GLA). */
  record Gla(int rank, double tau) implements GateSpec {
    public Gla {
      if (rank < 1) {
        throw new IllegalArgumentException("gate.rank must be >= 1, got " + rank);
      }
      if (!(tau > 0) || Double.isInfinite(tau)) {
        throw new IllegalArgumentException("gate.tau must be a finite number > 0, got " + tau);
      }
    }

    @Override
    public Kind kind() {
      return Kind.GLA;
    }

    @Override
    public boolean dataDependent() {
      return true;
    }
  }

  /** Mamba2's scalar gate per head. */
  record Scalar() implements GateSpec {
    @Override
    public Kind kind() {
      return Kind.SCALAR;
    }

    @Override
    public boolean dataDependent() {
      return true;
    }
  }
}
