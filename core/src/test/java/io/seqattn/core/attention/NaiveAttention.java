package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;

/**
 * The test oracle: kernelized attention computed the obvious O(n²) way in double precision, with
 * no ND4J and no summaries. A_ij = φ(q_i)·φ(k_j) for every pair, O_i = Σ_j A_ij v_j / (Σ_j A_ij + eps)
 * per head, x_p = E[t_p] + PE(p) written out from the formula in README.
 */
final class NaiveAttention {
  private NaiveAttention() {}

  /** Outputs [n][heads·d_head] for tokens at positions start, start+1, … (one whole sequence). */
  static double[][] outputs(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int n = tokens.length;
    int d = c.dModel();
    int inner = c.innerDim();
    double[][] q = new double[n][inner];
    double[][] k = new double[n][inner];
    double[][] v = new double[n][inner];
    for (int p = 0; p < n; p++) {
      double[] x = new double[d];
      for (int j = 0; j < d; j++) {
        x[j] = model.embedding()[tokens[p] * d + j];
      }
      if (c.positional() == Positional.SINUSOIDAL) {
        double pos = start + p;
        for (int i = 0; i < d / 2; i++) {
          double angle = pos / Math.pow(10000.0, 2.0 * i / d);
          x[2 * i] += Math.sin(angle);
          x[2 * i + 1] += Math.cos(angle);
        }
      }
      for (int o = 0; o < inner; o++) {
        double sq = 0;
        double sk = 0;
        double sv = 0;
        for (int j = 0; j < d; j++) {
          sq += x[j] * model.wq()[j * inner + o];
          sk += x[j] * model.wk()[j * inner + o];
          sv += x[j] * model.wv()[j * inner + o];
        }
        q[p][o] = c.featureMap().apply(sq);
        k[p][o] = c.featureMap().apply(sk);
        v[p][o] = sv;
      }
    }
    int dh = c.dHead();
    double[][] out = new double[n][inner];
    for (int h = 0; h < c.heads(); h++) {
      for (int i = 0; i < n; i++) {
        double den = 0;
        double[] num = new double[dh];
        for (int j = 0; j < n; j++) {
          double a = 0;
          for (int f = 0; f < dh; f++) {
            a += q[i][h * dh + f] * k[j][h * dh + f];
          }
          den += a;
          for (int f = 0; f < dh; f++) {
            num[f] += a * v[j][h * dh + f];
          }
        }
        for (int f = 0; f < dh; f++) {
          out[i][h * dh + f] = num[f] / (den + c.eps());
        }
      }
    }
    return out;
  }
}
