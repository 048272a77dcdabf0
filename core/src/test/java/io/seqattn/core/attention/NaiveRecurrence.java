package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * The causal oracle: the recurrence S_t = γ·S_(t−1) + φ(k_t)v_tᵀ, z_t = γ·z_(t−1) + φ(k_t),
 * O_t = φ(q_t)ᵀS_t / (φ(q_t)ᵀz_t + eps), one token at a time in double precision, on the inputs of
 * {@link NaiveInputs}; it shares no code with the kernel.
 */
final class NaiveRecurrence {
  private NaiveRecurrence() {}

  /** Outputs [n][heads·d_head] of the tokens at positions start, start+1, … of one sequence. */
  static double[][] outputs(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int inner = c.innerDim();
    int dh = c.dHead();
    double[] gamma = c.decayPerHead();
    NaiveInputs in = NaiveInputs.of(model, tokens, start);
    int m = c.features();
    double[][][] s = new double[c.heads()][m][dh];
    double[][] z = new double[c.heads()][m];
    double[][] out = new double[tokens.length][inner];
    for (int p = 0; p < tokens.length; p++) {
      double[] q = in.phiQ()[p];
      double[] k = in.phiK()[p];
      double[] v = in.v()[p];
      for (int h = 0; h < c.heads(); h++) {
        for (int a = 0; a < m; a++) {
          z[h][a] = gamma[h] * z[h][a] + k[h * m + a];
          for (int b = 0; b < dh; b++) {
            s[h][a][b] = gamma[h] * s[h][a][b] + k[h * m + a] * v[h * dh + b];
          }
        }
        double den = c.eps();
        for (int a = 0; a < m; a++) {
          den += q[h * m + a] * z[h][a];
        }
        for (int b = 0; b < dh; b++) {
          double num = 0;
          for (int a = 0; a < m; a++) {
            num += q[h * m + a] * s[h][a][b];
          }
          out[p][h * dh + b] = num / den;
        }
      }
    }
    return out;
  }

  /** The final state S_h (row-major [m][d_head]) followed by z_h, per head: what a causal run stores. */
  static double[][] finalState(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int dh = c.dHead();
    int m = c.features();
    double[] gamma = c.decayPerHead();
    NaiveInputs in = NaiveInputs.of(model, tokens, start);
    double[][] state = new double[c.heads()][m * dh + m];
    for (int p = 0; p < tokens.length; p++) {
      double[] k = in.phiK()[p];
      double[] v = in.v()[p];
      for (int h = 0; h < c.heads(); h++) {
        for (int a = 0; a < m; a++) {
          for (int b = 0; b < dh; b++) {
            state[h][a * dh + b] = gamma[h] * state[h][a * dh + b] + k[h * m + a] * v[h * dh + b];
          }
          state[h][m * dh + a] = gamma[h] * state[h][m * dh + a] + k[h * m + a];
        }
      }
    }
    return state;
  }
}
