package io.seqattn.core.attention;

import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;

/**
 * Reads an attention state out for one arbitrary query: O_h = φ(q_h)ᵀS_h / (φ(q_h)ᵀz_h + eps) per
 * head, q given as the raw query vector (heads·d_head values, before φ) — "what would a token with
 * this query see in this sequence". In double, with the feature map's scalar form
 * ({@link FeatureMap#queryFeatures}) and the same stabilization as the kernels for random-feature
 * maps, so it never overflows.
 */
public final class Readout {
  private Readout() {}

  public static float[] query(Model model, Summary state, float[] q) {
    ModelConfig c = model.config();
    int heads = c.heads();
    int dh = c.dHead();
    int m = c.features();
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
    FeatureMap map = c.featureMap();
    int omegaRows = map.omegaRows(m);
    float[] out = new float[c.innerDim()];
    for (int h = 0; h < heads; h++) {
      double[] phi = new double[m];
      // φ(q_h) = e^logScale · phi
      double logScale = map.queryFeatures(q, h * dh, dh, model.omega(), h * omegaRows * dh, phi);
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
}
