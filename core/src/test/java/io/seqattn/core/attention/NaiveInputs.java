package io.seqattn.core.attention;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;

/**
 * What both test oracles start from, written out from the README formula in double precision and
 * sharing no code with the kernel: x_p = E[t_p] + PE(p), then φ(x·Wq), φ(x·Wk) and x·Wv per position.
 * An absent position (token −1) has φ(k) = 0 — no key — and a NaN query, so its output is NaN.
 */
record NaiveInputs(double[][] phiQ, double[][] phiK, double[][] v) {

  static NaiveInputs of(Model model, int[] tokens, long start) {
    ModelConfig c = model.config();
    int n = tokens.length;
    int d = c.dModel();
    int inner = c.innerDim();
    double[][] q = new double[n][inner];
    double[][] k = new double[n][inner];
    double[][] v = new double[n][inner];
    for (int p = 0; p < n; p++) {
      if (tokens[p] == -1) {
        java.util.Arrays.fill(q[p], Double.NaN);
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
    return new NaiveInputs(q, k, v);
  }
}
