package io.seqattn.core.attention;

import io.seqattn.core.model.FeatureMap;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * Reads an attention state out for one arbitrary query: O_h = φ(q_h)ᵀS_h / (φ(q_h)ᵀz_h + eps) per
 * head, q given as the raw query vector (heads·d_head values, before φ) — "what would a token with
 * this query see in this sequence". In double, with the same stabilization as the kernel for the
 * random-feature maps, so it never overflows.
 */
public final class Readout {
  private Readout() {}

  public static float[] query(Model model, Summary state, float[] q) {
    ModelConfig c = model.config();
    int heads = c.heads();
    int dh = c.dHead();
    int m = c.featureDim();
    if (q == null) {
      throw new IllegalArgumentException("query vector is null");
    }
    if (q.length != c.innerDim()) {
      throw new IllegalArgumentException("query vector has " + q.length + " values; the model needs heads*d_head = "
          + c.innerDim());
    }
    if (state.heads() != heads || state.m() != m || state.dHead() != dh) {
      throw new IllegalArgumentException("state shape [" + state.heads() + "," + state.m() + "," + state.dHead()
          + "] does not match the model's [" + heads + "," + m + "," + dh + "]");
    }
    float[] out = new float[c.innerDim()];
    for (int h = 0; h < heads; h++) {
      double[] phi = new double[m];
      double logScale = features(model, h, q, phi); // φ(q_h) = e^logScale · phi
      double den = 0;
      double[] num = new double[dh];
      for (int a = 0; a < m; a++) {
        den += phi[a] * state.z()[h * m + a];
        for (int b = 0; b < dh; b++) {
          num[b] += phi[a] * state.s()[(h * m + a) * dh + b];
        }
      }
      double c0 = state.logScale()[h];
      den += c.eps() * Math.exp(-(logScale + c0));
      for (int b = 0; b < dh; b++) {
        out[h * dh + b] = (float) (num[b] / den);
      }
    }
    return out;
  }

  /** Fills φ̃(q_h) and returns its log-scale s (φ = e^s·φ̃): 0 for the deterministic maps. */
  private static double features(Model model, int h, float[] q, double[] phi) {
    ModelConfig c = model.config();
    int dh = c.dHead();
    FeatureMap map = c.featureMap();
    if (!map.usesOmega()) {
      for (int f = 0; f < dh; f++) {
        phi[f] = map.apply(q[h * dh + f]);
      }
      return 0;
    }
    int m = c.featureDim();
    int rows = map.omegaRows(m);
    double scale = Math.pow(dh, -0.25);
    double halfNorm = 0;
    for (int f = 0; f < dh; f++) {
      halfNorm += q[h * dh + f] * scale * q[h * dh + f] * scale / 2;
    }
    double[] dots = new double[rows];
    for (int r = 0; r < rows; r++) {
      for (int f = 0; f < dh; f++) {
        dots[r] += model.omega()[(h * rows + r) * dh + f] * q[h * dh + f] * scale;
      }
    }
    if (map == FeatureMap.TRIG) {
      for (int r = 0; r < rows; r++) {
        phi[r] = Math.cos(dots[r]);
        phi[rows + r] = Math.sin(dots[r]);
      }
      return halfNorm + 0.5 * Math.log(2.0 / m);
    }
    double max = Double.NEGATIVE_INFINITY;
    for (int r = 0; r < rows; r++) {
      max = Math.max(max, dots[r] - halfNorm);
    }
    for (int r = 0; r < rows; r++) {
      phi[r] = Math.exp(dots[r] - halfNorm - max);
    }
    return max - 0.5 * Math.log(m);
  }
}
