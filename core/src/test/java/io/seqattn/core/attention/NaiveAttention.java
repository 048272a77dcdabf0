package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * The test oracle: kernelized attention computed the obvious O(n²) way in double precision, with
 * no ND4J and no summaries. A_ij = φ(q_i)·φ(k_j) for every pair, O_i = Σ_j A_ij v_j / (Σ_j A_ij + eps)
 * per head, on the inputs of {@link NaiveInputs}.
 */
final class NaiveAttention {
  private NaiveAttention() {}

  /** Outputs [n][heads·d_head] for tokens at positions start, start+1, … (one whole sequence). */
  static double[][] outputs(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int n = tokens.length;
    int inner = c.innerDim();
    NaiveInputs in = NaiveInputs.of(model, tokens, start);
    double[][] q = in.phiQ();
    double[][] k = in.phiK();
    double[][] v = in.v();
    int dh = c.dHead();
    int m = c.features();
    double[][] out = new double[n][inner];
    for (int h = 0; h < c.heads(); h++) {
      for (int i = 0; i < n; i++) {
        double den = 0;
        double[] num = new double[dh];
        for (int j = 0; j < n; j++) {
          double a = 0;
          for (int f = 0; f < m; f++) {
            a += q[i][h * m + f] * k[j][h * m + f];
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
