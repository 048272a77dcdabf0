package io.seqattn.core.attention;

import io.seqattn.core.features.ElementwiseFeatureMap;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;

/**
 * What both test oracles start from, written out from the README formula in double precision and
 * sharing no code with the kernel: x_p = E[t_p] + PE(p), then φ(x·Wq), φ(x·Wk) and x·Wv per position.
 * An absent position (token −1) has φ(k) = 0 — no key — and a NaN query, so its output is NaN.
 * Random-feature maps are computed unstabilized from their definitions, with the model's ω:
 * favor+ φ(x) = exp(ωᵢᵀx̂ − ‖x̂‖²/2)/√m, trig φ(x) = exp(‖x̂‖²/2)·√(2/m)·[cos ωᵢᵀx̂, sin ωᵢᵀx̂],
 * x̂ = x·d_head^(−1/4). Features are [n][heads·m].
 */
record NaiveInputs(double[][] phiQ, double[][] phiK, double[][] v) {

  static NaiveInputs of(Model model, int[] tokens, long start) {
    double[][][] raw = projections(model, tokens, start);
    int n = tokens.length;
    double[][] q = new double[n][];
    double[][] k = new double[n][];
    for (int p = 0; p < n; p++) {
      if (tokens[p] == -1) {
        q[p] = new double[model.config().heads() * model.config().features()];
        k[p] = q[p].clone();
        java.util.Arrays.fill(q[p], Double.NaN);
        continue;
      }
      q[p] = features(model, raw[0][p]);
      k[p] = features(model, raw[1][p]);
    }
    return new NaiveInputs(q, k, raw[2]);
  }

  /** x·Wq, x·Wk and x·Wv of every position, [3][n][heads·d_head], x = E[t] + PE(p) (zero for absent). */
  static double[][][] projections(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int n = tokens.length;
    int d = c.dModel();
    int inner = c.innerDim();
    double[][][] out = new double[3][n][inner];
    for (int p = 0; p < n; p++) {
      if (tokens[p] == -1) {
        continue;
      }
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
        for (int j = 0; j < d; j++) {
          out[0][p][o] += x[j] * model.wq()[j * inner + o];
          out[1][p][o] += x[j] * model.wk()[j * inner + o];
          out[2][p][o] += x[j] * model.wv()[j * inner + o];
        }
      }
    }
    return out;
  }

  /** φ of every head of one projected row, concatenated: [heads·m]. */
  static double[] features(Model model, double[] raw) {
    ModelConfig c = model.config();
    int dh = c.dHead();
    int m = c.features();
    double[] out = new double[c.heads() * m];
    FeatureMap map = c.featureMap();
    for (int h = 0; h < c.heads(); h++) {
      if (map instanceof ElementwiseFeatureMap elementwise) {
        for (int f = 0; f < dh; f++) {
          out[h * m + f] = elementwise.apply(raw[h * dh + f]);
        }
        continue;
      }
      double scale = Math.pow(dh, -0.25);
      double normSq = 0;
      for (int f = 0; f < dh; f++) {
        normSq += raw[h * dh + f] * scale * raw[h * dh + f] * scale;
      }
      int rows = map.omegaRows(m);
      for (int r = 0; r < rows; r++) {
        double dot = 0;
        for (int f = 0; f < dh; f++) {
          dot += model.omega()[(h * rows + r) * dh + f] * raw[h * dh + f] * scale;
        }
        if (map == FeatureMaps.FAVOR_PLUS) {
          out[h * m + r] = Math.exp(dot - normSq / 2) / Math.sqrt(m);
        } else {
          double amplitude = Math.exp(normSq / 2) * Math.sqrt(2.0 / m);
          out[h * m + r] = amplitude * Math.cos(dot);
          out[h * m + rows + r] = amplitude * Math.sin(dot);
        }
      }
    }
    return out;
  }
}
