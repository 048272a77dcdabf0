package io.seqattn.core.stack;

import io.seqattn.core.features.ElementwiseFeatureMap;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.mixer.SinusoidalPositions;
import io.seqattn.core.model.Positional;
import io.seqattn.core.tokenize.Tokenizer;

/**
 * docs/model-format-2.md evaluated the plain way, in double precision, written from the spec and
 * sharing no code with the kernels: every hidden state of the whole sequence in memory, the causal
 * recurrence stepped token by token (S_t = diag(e^(g_t))·S_(t−1) + φ^R(k_t)v_tᵀ), the global sums
 * taken over the whole sequence, random features unstabilized. The reference the ND4J stack is
 * checked against.
 */
final class StackOracle {
  /** Final normed outputs [n][d] (NaN rows at absent positions), every block's output, each layer's state, the embedding. */
  record Result(double[][] output, double[][][] blockOutputs, double[][][][] states, double[][][] normalizers,
      double[] embedding) {}

  private StackOracle() {}

  static Result run(StackModel model, int[] tokens) {
    StackConfig c = model.config();
    int n = tokens.length;
    int d = c.dModel();
    double[][] x = new double[n][d];
    float[] e = model.tensor("embedding");
    for (int p = 0; p < n; p++) {
      int t = Math.max(tokens[p], 0);
      for (int i = 0; i < d; i++) {
        x[p][i] = e[t * d + i];
        if (c.positional() == Positional.SINUSOIDAL) {
          double w = SinusoidalPositions.frequency(i / 2, d);
          x[p][i] += i % 2 == 0 ? Math.sin(p * w) : Math.cos(p * w);
        }
      }
    }
    int layers = c.depth();
    double[][][] blockOutputs = new double[layers][][];
    double[][][][] states = new double[layers][][][];
    double[][][] normalizers = new double[layers][][];
    for (int l = 0; l < layers; l++) {
      BlockSpec block = c.layers().get(l);
      String p = "layers." + l + ".";
      double[][] a = norm(x, block.norm(), model, p + "norm1");
      double[][][] state = new double[2][][];
      double[][] mixed = mixer(block.mixer(), model, p + "mixer.", a, tokens, state);
      states[l] = new double[][][] {state[0], state[1]};
      double[][] h = add(x, mixed);
      if (block.ffn() != null) {
        h = add(h, ffn(block.ffn(), model, p + "ffn.", norm(h, block.norm(), model, p + "norm2")));
      }
      x = h;
      blockOutputs[l] = x;
    }
    double[][] out = c.finalNorm() == null ? x : norm(x, c.finalNorm(), model, "final_norm");
    double[] mean = new double[d];
    int present = 0;
    double[][] shown = new double[n][];
    for (int q = 0; q < n; q++) {
      if (tokens[q] == Tokenizer.ABSENT) {
        shown[q] = new double[d];
        java.util.Arrays.fill(shown[q], Double.NaN);
        continue;
      }
      shown[q] = out[q];
      present++;
      for (int i = 0; i < d; i++) {
        mean[i] += out[q][i];
      }
    }
    for (int i = 0; i < d; i++) {
      mean[i] /= present;
    }
    double[] embedding = mean;
    if (c.dOut() > 0) {
      embedding = matmul(new double[][] {mean}, model.tensor("head.wo"), c.dOut())[0];
    }
    return new Result(shown, blockOutputs, states, normalizers, embedding);
  }

  private static double[][] mixer(AttentionSpec s, StackModel model, String p, double[][] a, int[] tokens,
      double[][][] stateOut) {
    int n = a.length;
    int heads = s.heads();
    int dk = s.dKey();
    int dv = s.dValue();
    int m = s.features();
    double[][] q = matmul(a, model.tensor(p + "wq"), heads * dk);
    double[][] k = matmul(a, model.tensor(p + "wk"), heads * dk);
    double[][] v = matmul(a, model.tensor(p + "wv"), heads * dv);
    double[][] logGate = gates(s, model, p, a);
    double[][] o = new double[n][heads * dv];
    double[][] stateS = new double[heads][m * dv];
    double[][] stateZ = new double[heads][m];
    for (int h = 0; h < heads; h++) {
      double[][] fq = new double[n][];
      double[][] fk = new double[n][];
      for (int t = 0; t < n; t++) {
        double[] qt = slice(q[t], h * dk, dk);
        for (int i = 0; i < dk; i++) {
          qt[i] *= s.queryScale();
        }
        fq[t] = phi(s, model, p, h, qt);
        fk[t] = tokens[t] == Tokenizer.ABSENT ? new double[m] : phi(s, model, p, h, slice(k[t], h * dk, dk));
      }
      double[][] fqr = fq;
      double[][] fkr = fk;
      if (s.rope()) {
        fqr = new double[n][];
        fkr = new double[n][];
        for (int t = 0; t < n; t++) {
          fqr[t] = rope(fq[t], t);
          fkr[t] = rope(fk[t], t);
        }
      }
      double[] sState = new double[m * dv];
      double[] zState = new double[m];
      if (!s.causal()) {
        for (int j = 0; j < n; j++) {
          accumulate(sState, zState, fkr[j], fk[j], slice(v[j], h * dv, dv));
        }
      }
      for (int t = 0; t < n; t++) {
        if (s.causal()) {
          for (int aa = 0; aa < m; aa++) {
            double f = logGate == null ? 1 : Math.exp(logGate[t][h * m + aa]);
            for (int cc = 0; cc < dv; cc++) {
              sState[aa * dv + cc] *= f;
            }
            zState[aa] *= f;
          }
          accumulate(sState, zState, fkr[t], fk[t], slice(v[t], h * dv, dv));
        }
        double[] num = new double[dv];
        double den = 0;
        for (int aa = 0; aa < m; aa++) {
          den += fq[t][aa] * zState[aa];
          for (int cc = 0; cc < dv; cc++) {
            num[cc] += fqr[t][aa] * sState[aa * dv + cc];
          }
        }
        for (int cc = 0; cc < dv; cc++) {
          o[t][h * dv + cc] = s.normalizedByZ() ? num[cc] / (den + s.eps()) : num[cc];
        }
        if (s.outputNorm() != null) {
          double ms = 0;
          for (int cc = 0; cc < dv; cc++) {
            ms += o[t][h * dv + cc] * o[t][h * dv + cc];
          }
          double r = Math.sqrt(ms / dv + s.outputNorm().eps());
          float[] w = model.tensor(p + "out_norm.weight");
          for (int cc = 0; cc < dv; cc++) {
            o[t][h * dv + cc] = o[t][h * dv + cc] / r * w[cc];
          }
        }
      }
      stateS[h] = sState;
      stateZ[h] = zState;
    }
    stateOut[0] = stateS;
    stateOut[1] = stateZ;
    if (s.outputGate()) {
      double[][] g = matmul(a, model.tensor(p + "wg"), heads * dv);
      for (int t = 0; t < n; t++) {
        for (int i = 0; i < heads * dv; i++) {
          o[t][i] *= g[t][i] / (1 + Math.exp(-g[t][i]));
        }
      }
    }
    return matmul(o, model.tensor(p + "wo"), a[0].length);
  }

  private static void accumulate(double[] s, double[] z, double[] kr, double[] k0, double[] v) {
    for (int a = 0; a < kr.length; a++) {
      for (int c = 0; c < v.length; c++) {
        s[a * v.length + c] += kr[a] * v[c];
      }
      z[a] += k0[a];
    }
  }

  /** g_t per head and key dimension [n][H·m], or null without a gate. */
  private static double[][] gates(AttentionSpec s, StackModel model, String p, double[][] a) {
    int n = a.length;
    int heads = s.heads();
    int m = s.features();
    double[][] g = new double[n][heads * m];
    switch (s.gate().kind()) {
      case NONE -> {
        return null;
      }
      case CONSTANT -> {
        double[] gamma = ((GateSpec.Constant) s.gate()).decay();
        for (double[] row : g) {
          for (int h = 0; h < heads; h++) {
            java.util.Arrays.fill(row, h * m, (h + 1) * m, Math.log(gamma[h]));
          }
        }
      }
      case GLA -> {
        GateSpec.Gla gla = (GateSpec.Gla) s.gate();
        double[][] low = matmul(a, model.tensor(p + "gate.w1"), gla.rank());
        double[][] pre = matmul(low, model.tensor(p + "gate.w2"), heads * m);
        float[] b = model.tensor(p + "gate.b");
        for (int t = 0; t < n; t++) {
          for (int i = 0; i < heads * m; i++) {
            double xx = pre[t][i] + b[i];
            double logSigmoid = xx >= 0 ? -Math.log1p(Math.exp(-xx)) : xx - Math.log1p(Math.exp(xx));
            g[t][i] = logSigmoid / gla.tau();
          }
        }
      }
      case SCALAR -> {
        double[][] dtPre = matmul(a, model.tensor(p + "gate.w_dt"), heads);
        float[] bias = model.tensor(p + "gate.b_dt");
        float[] aLog = model.tensor(p + "gate.a_log");
        for (int t = 0; t < n; t++) {
          for (int h = 0; h < heads; h++) {
            double xx = dtPre[t][h] + bias[h];
            double dt = xx > 30 ? xx : Math.log1p(Math.exp(xx));
            java.util.Arrays.fill(g[t], h * m, (h + 1) * m, -Math.exp(aLog[h]) * dt);
          }
        }
      }
    }
    return g;
  }

  private static double[] phi(AttentionSpec s, StackModel model, String p, int h, double[] x) {
    FeatureMap map = s.featureMap();
    if (map instanceof ElementwiseFeatureMap e) {
      double[] f = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        f[i] = e.apply(x[i]);
      }
      return f;
    }
    int m = s.features();
    int dk = x.length;
    int rows = map.omegaRows(m);
    float[] omega = model.tensor(p + "omega");
    double scale = Math.pow(dk, -0.25);
    double halfNorm = 0;
    for (double xi : x) {
      halfNorm += xi * scale * xi * scale / 2;
    }
    double[] f = new double[m];
    for (int r = 0; r < rows; r++) {
      double dot = 0;
      for (int i = 0; i < dk; i++) {
        dot += omega[(h * rows + r) * dk + i] * x[i] * scale;
      }
      if (map.name().equals("favor+")) {
        f[r] = Math.exp(dot - halfNorm) / Math.sqrt(m);
      } else {
        double amp = Math.exp(halfNorm) * Math.sqrt(2.0 / m);
        f[r] = amp * Math.cos(dot);
        f[rows + r] = amp * Math.sin(dot);
      }
    }
    return f;
  }

  private static double[] rope(double[] f, long position) {
    int m = f.length;
    double[] out = new double[m];
    for (int i = 0; i < m / 2; i++) {
      double angle = position / Math.pow(10000.0, 2.0 * i / m);
      double a = f[2 * i];
      double b = f[2 * i + 1];
      out[2 * i] = a * Math.cos(angle) - b * Math.sin(angle);
      out[2 * i + 1] = a * Math.sin(angle) + b * Math.cos(angle);
    }
    return out;
  }

  private static double[][] ffn(FfnSpec spec, StackModel model, String p, double[][] a) {
    int f = spec.dFf();
    int d = a[0].length;
    if (spec.kind() == FfnSpec.Kind.SWIGLU) {
      double[][] g = matmul(a, model.tensor(p + "w_gate"), f);
      double[][] u = matmul(a, model.tensor(p + "w_up"), f);
      for (int t = 0; t < a.length; t++) {
        for (int i = 0; i < f; i++) {
          g[t][i] = g[t][i] / (1 + Math.exp(-g[t][i])) * u[t][i];
        }
      }
      return matmul(g, model.tensor(p + "w_down"), d);
    }
    double[][] h = matmul(a, model.tensor(p + "w1"), f);
    float[] b1 = model.tensor(p + "b1");
    for (double[] row : h) {
      for (int i = 0; i < f; i++) {
        double xx = row[i] + b1[i];
        row[i] = 0.5 * xx * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (xx + 0.044715 * xx * xx * xx)));
      }
    }
    double[][] y = matmul(h, model.tensor(p + "w2"), d);
    float[] b2 = model.tensor(p + "b2");
    for (double[] row : y) {
      for (int i = 0; i < d; i++) {
        row[i] += b2[i];
      }
    }
    return y;
  }

  private static double[][] norm(double[][] x, NormSpec spec, StackModel model, String name) {
    float[] w = model.tensor(name + ".weight");
    float[] b = spec.kind().hasBias() ? model.tensor(name + ".bias") : null;
    double[][] y = new double[x.length][];
    for (int t = 0; t < x.length; t++) {
      int d = x[t].length;
      double mean = 0;
      if (b != null) {
        for (double v : x[t]) {
          mean += v;
        }
        mean /= d;
      }
      double ms = 0;
      for (double v : x[t]) {
        ms += (v - mean) * (v - mean);
      }
      double r = Math.sqrt(ms / d + spec.eps());
      y[t] = new double[d];
      for (int i = 0; i < d; i++) {
        y[t][i] = (x[t][i] - mean) / r * w[i] + (b == null ? 0 : b[i]);
      }
    }
    return y;
  }

  static double[][] matmul(double[][] a, float[] w, int columns) {
    int inner = a[0].length;
    double[][] out = new double[a.length][columns];
    for (int t = 0; t < a.length; t++) {
      for (int i = 0; i < inner; i++) {
        double ai = a[t][i];
        for (int j = 0; j < columns; j++) {
          out[t][j] += ai * w[i * columns + j];
        }
      }
    }
    return out;
  }

  private static double[][] add(double[][] a, double[][] b) {
    double[][] out = new double[a.length][];
    for (int t = 0; t < a.length; t++) {
      out[t] = new double[a[t].length];
      for (int i = 0; i < a[t].length; i++) {
        out[t][i] = a[t][i] + b[t][i];
      }
    }
    return out;
  }

  private static double[] slice(double[] a, int from, int count) {
    return java.util.Arrays.copyOfRange(a, from, from + count);
  }
}
