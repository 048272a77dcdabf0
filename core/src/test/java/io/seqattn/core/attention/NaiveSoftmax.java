package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * The softmax oracle: the full n × n score matrix per head in double, O_i = Σ_j softmax_j(q_iᵀk_j/√d)
 * v_j over all j (or j ≤ i when causal), with absent positions (token −1) giving no key and a NaN
 * output. Shares only {@link NaiveInputs#projections} with the other oracles, nothing with the kernel.
 */
final class NaiveSoftmax {
  private NaiveSoftmax() {}

  static double[][] outputs(Model model, int[] tokens, long start, boolean causal) {
    ModelConfig c = model.config();
    int n = tokens.length;
    int dh = c.dHead();
    double[][][] raw = NaiveInputs.projections(model, tokens, start);
    double[][] out = new double[n][c.innerDim()];
    for (int h = 0; h < c.heads(); h++) {
      for (int i = 0; i < n; i++) {
        if (tokens[i] == -1) {
          java.util.Arrays.fill(out[i], h * dh, (h + 1) * dh, Double.NaN);
          continue;
        }
        double[] scores = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          if (tokens[j] == -1 || (causal && j > i)) {
            scores[j] = Double.NEGATIVE_INFINITY;
            continue;
          }
          double dot = 0;
          for (int f = 0; f < dh; f++) {
            dot += raw[0][i][h * dh + f] * raw[1][j][h * dh + f];
          }
          scores[j] = dot / Math.sqrt(dh);
          max = Math.max(max, scores[j]);
        }
        double sum = 0;
        double[] num = new double[dh];
        for (int j = 0; j < n; j++) {
          double w = Math.exp(scores[j] - max);
          sum += w;
          for (int f = 0; f < dh; f++) {
            num[f] += w * raw[2][j][h * dh + f];
          }
        }
        for (int f = 0; f < dh; f++) {
          out[i][h * dh + f] = num[f] / sum;
        }
      }
    }
    return out;
  }
}
