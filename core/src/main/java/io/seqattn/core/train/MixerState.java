package io.seqattn.core.train;

import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A mixer's state over a run of positions, in double: per head S [m, d_v], z [m] and the run's
 * total log-decay ℓ ≤ 0 (0 for a global mixer and for ungated causal ones). The same shape holds
 * an adjoint (∂loss/∂S, ∂loss/∂z; ℓ unused, 0). A chunk's share is a few thousand numbers.
 *
 * <p>Two ways to combine: {@link #plus} adds element by element (global shares and adjoints);
 * {@link #then} is the causal monoid (ℓ₁, U₁) ⊕ (ℓ₂, U₂) = (ℓ₁ + ℓ₂, e^(ℓ₂)·U₁ + U₂), associative
 * but not commutative. Callers combine in chunk order, so the same chunks give the same bits.
 */
public record MixerState(int heads, int m, int dValue, double[] s, double[] z, double[] ell) {

  public MixerState {
    if (s.length != heads * m * dValue || z.length != heads * m || ell.length != heads) {
      throw new IllegalArgumentException("state arrays do not match [" + heads + ", " + m + ", " + dValue + "]");
    }
  }

  static MixerState zero(int heads, int m, int dValue) {
    return new MixerState(heads, m, dValue, new double[heads * m * dValue], new double[heads * m],
        new double[heads]);
  }

  /** this + later, element by element (a new state; ℓ added too). */
  public MixerState plus(MixerState later) {
    checkShape(later);
    double[] s2 = s.clone();
    double[] z2 = z.clone();
    double[] ell2 = ell.clone();
    for (int i = 0; i < s2.length; i++) {
      s2[i] += later.s[i];
    }
    for (int i = 0; i < z2.length; i++) {
      z2[i] += later.z[i];
    }
    for (int i = 0; i < ell2.length; i++) {
      ell2[i] += later.ell[i];
    }
    return new MixerState(heads, m, dValue, s2, z2, ell2);
  }

  /** The state of this run followed by {@code later}: (ℓ + ℓ', e^(ℓ')·U + U'). */
  public MixerState then(MixerState later) {
    return decayed(later.ell).plus(later);
  }

  /** Each head's S and z times e^(logFactor_h) (factors ≤ 1 for decays), ℓ kept. */
  public MixerState decayed(double[] logFactor) {
    double[] s2 = s.clone();
    double[] z2 = z.clone();
    for (int h = 0; h < heads; h++) {
      if (logFactor[h] == 0) {
        continue;
      }
      double f = Math.exp(logFactor[h]);
      for (int i = h * m * dValue; i < (h + 1) * m * dValue; i++) {
        s2[i] *= f;
      }
      for (int i = h * m; i < (h + 1) * m; i++) {
        z2[i] *= f;
      }
    }
    return new MixerState(heads, m, dValue, s2, z2, ell.clone());
  }

  private void checkShape(MixerState other) {
    if (other.heads != heads || other.m != m || other.dValue != dValue) {
      throw new IllegalArgumentException("cannot combine states of different shapes");
    }
  }

  /** Head h's S [m, d_v] in {@code type}. */
  INDArray s(int h, DataType type) {
    return Nd4j.create(Arrays.copyOfRange(s, h * m * dValue, (h + 1) * m * dValue), new long[] {m, dValue},
        DataType.DOUBLE).castTo(type);
  }

  /** Head h's z as a column [m, 1] in {@code type}. */
  INDArray z(int h, DataType type) {
    return Nd4j.create(Arrays.copyOfRange(z, h * m, (h + 1) * m), new long[] {m, 1}, DataType.DOUBLE).castTo(type);
  }

  /** Writes head h's S [m, d_v] and z [m, 1] from arrays of any type. */
  void set(int h, INDArray sh, INDArray zh) {
    double[] sv = Nd4j.toFlattened('c', sh).castTo(DataType.DOUBLE).toDoubleVector();
    double[] zv = Nd4j.toFlattened('c', zh).castTo(DataType.DOUBLE).toDoubleVector();
    System.arraycopy(sv, 0, s, h * m * dValue, m * dValue);
    System.arraycopy(zv, 0, z, h * m, m);
  }
}
