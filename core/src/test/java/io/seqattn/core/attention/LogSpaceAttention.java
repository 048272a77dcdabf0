package io.seqattn.core.attention;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * A favor+ oracle that cannot overflow: the O(n²) attention of {@link NaiveAttention}, but with every
 * φ(q)ᵀφ(k) kept as its logarithm, log Σₗ exp(aᵢₗ + bⱼₗ) with a, b the log-features
 * ωₗᵀx̂ − ‖x̂‖²/2 − ½·ln m, and each row normalized by its largest term — all in double, sharing no
 * code with the kernel's stabilization. O_i = Σⱼ wᵢⱼ vⱼ / (Σⱼ wᵢⱼ + eps).
 */
final class LogSpaceAttention {
  private LogSpaceAttention() {}

  static double[][] outputs(Model model, int[] tokens) {
    ModelConfig c = model.config();
    if (c.featureMap() != FeatureMaps.FAVOR_PLUS) {
      throw new IllegalArgumentException("log-space oracle is for favor+");
    }
    int n = tokens.length;
    int dh = c.dHead();
    int m = c.features();
    double[][][] raw = NaiveInputs.projections(model, tokens, 0);
    double[][] out = new double[n][c.innerDim()];
    for (int h = 0; h < c.heads(); h++) {
      double[][] a = logFeatures(model, raw[0], h);
      double[][] b = logFeatures(model, raw[1], h);
      for (int i = 0; i < n; i++) {
        double[] logW = new double[n];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < n; j++) {
          double inner = Double.NEGATIVE_INFINITY;
          for (int l = 0; l < m; l++) {
            inner = Math.max(inner, a[i][l] + b[j][l]);
          }
          double sum = 0;
          for (int l = 0; l < m; l++) {
            sum += Math.exp(a[i][l] + b[j][l] - inner);
          }
          logW[j] = inner + Math.log(sum);
          max = Math.max(max, logW[j]);
        }
        double den = c.eps() * Math.exp(-max);
        double[] num = new double[dh];
        for (int j = 0; j < n; j++) {
          double w = Math.exp(logW[j] - max);
          den += w;
          for (int f = 0; f < dh; f++) {
            num[f] += w * raw[2][j][h * dh + f];
          }
        }
        for (int f = 0; f < dh; f++) {
          out[i][h * dh + f] = num[f] / den;
        }
      }
    }
    return out;
  }

  private static double[][] logFeatures(Model model, double[][] raw, int h) {
    ModelConfig c = model.config();
    int dh = c.dHead();
    int m = c.features();
    double scale = Math.pow(dh, -0.25);
    double[][] out = new double[raw.length][m];
    for (int p = 0; p < raw.length; p++) {
      double normSq = 0;
      for (int f = 0; f < dh; f++) {
        normSq += raw[p][h * dh + f] * scale * raw[p][h * dh + f] * scale;
      }
      for (int l = 0; l < m; l++) {
        double dot = 0;
        for (int f = 0; f < dh; f++) {
          dot += model.omega()[(h * m + l) * dh + f] * raw[p][h * dh + f] * scale;
        }
        out[p][l] = dot - normSq / 2 - 0.5 * Math.log(m);
      }
    }
    return out;
  }
}
