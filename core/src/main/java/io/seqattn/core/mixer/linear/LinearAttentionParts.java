package io.seqattn.core.mixer.linear;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureKernel;
import io.seqattn.core.mixer.ChunkOutputAssembly;
import io.seqattn.core.mixer.ChunkProjections;
import io.seqattn.core.mixer.ChunkWorkspace;
import io.seqattn.core.mixer.TokenProjection;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What the global and the causal linear-attention kernels share: the chunk's projections, the
 * feature map on ND4J, the readout's normalizer, and pass 1 — the chunk's {@link Summary}.
 *
 * <p>The chunk's projections are {@link ChunkProjections}: all heads at once, the values with a
 * column of ones per head. Heads are column blocks of them, read by GEMMs and copies. Pass 1 is [S_h | z_h] = φ(K_h)ᵀ[V_h | 1], one GEMM with a transpose
 * flag per head, each key weighted by γ_h^(n−1−j) under decay. Compute is float32 (BLAS sgemm);
 * everything that crosses chunks is returned in double. A token id of ABSENT keeps its position
 * but has no key: φ(k) is zeroed, so it adds nothing to S or z.
 */
final class LinearAttentionParts {
  final int heads;
  final int dHead;
  final int m;
  final int inner;
  final double eps;
  final boolean positiveFeatures;
  /** x·W_q and x·W_k, [n, inner], and the values with ones, [n, heads·(d_head + 1)]: [V_h | 1] per head. */
  final TokenProjection queries;
  final TokenProjection keys;
  final TokenProjection values;
  final FeatureKernel features;
  final ChunkOutputAssembly assembly;
  /** ln γ_h per head: 0 without decay. */
  final double[] logGamma;

  LinearAttentionParts(Model model) {
    ModelConfig config = model.config();
    this.heads = config.heads();
    this.dHead = config.dHead();
    this.m = config.features();
    this.inner = config.innerDim();
    this.eps = config.eps();
    this.positiveFeatures = config.featureMap().isPositive();
    this.assembly = new ChunkOutputAssembly(heads, dHead);
    ChunkProjections projections = new ChunkProjections(model);
    this.queries = projections.queries;
    this.keys = projections.keys;
    this.values = projections.values;
    try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
      this.features = config.featureMap().bind(model.omega(), heads, dHead, m);
    }
    double[] gamma = config.decayPerHead();
    this.logGamma = new double[heads];
    for (int h = 0; h < heads; h++) {
      logGamma[h] = Math.log(gamma[h]);
    }
  }

  /** Pass 1: the summary of {@code tokens}, the first at global position {@code start}. */
  Summary summarize(int[] tokens, long start) {
    if (tokens.length == 0) {
      return Summary.empty(heads, m, dHead);
    }
    double[] s = new double[heads * m * dHead];
    double[] z = new double[heads * m];
    double[] logScale = new double[heads];
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      int n = tokens.length;
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray k = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      keys.project(tokens, start, k);
      INDArray v = Nd4j.createUninitialized(DataType.FLOAT, n, values.width());
      values.project(tokens, start, v);
      features.prepareKeys(k, present);
      INDArray scratch = features.scratch(n);
      INDArray stateHead = Nd4j.createUninitialized(DataType.FLOAT, m, dHead + 1);
      for (int h = 0; h < heads; h++) {
        FeatureKernel.KeyFeatures kf = features.keys(h, k, present, scratch);
        INDArray kh = kf.features(); // φ̃(K_h) [n, m] at the chunk's log-scale c: (S, z) = e^c·(S̃, z̃)
        logScale[h] = kf.logScale();
        if (logGamma[h] < 0) {
          // weights γ^(n−1−j): the decay each key has undergone by the end of the chunk
          kh = kh.mulColumnVector(powers(logGamma[h], n, n - 1, -1));
        }
        Nd4j.gemm(kh, head(v, h, dHead + 1), stateHead, true, false, 1.0, 0.0);
        copyState(stateHead, h, s, z);
      }
    }
    double[] logDecay = new double[heads];
    for (int h = 0; h < heads; h++) {
      logDecay[h] = tokens.length * logGamma[h];
    }
    return new Summary(heads, m, dHead, tokens.length, logDecay, s, z, logScale);
  }

  /** Head h's [S_h | z_h] ([m, d_head + 1], float) into the summary's S and z (double). */
  private void copyState(INDArray stateHead, int h, double[] s, double[] z) {
    float[] state = stateHead.data().asFloat();
    int width = dHead + 1;
    for (int a = 0; a < m; a++) {
      for (int c = 0; c < dHead; c++) {
        s[(h * m + a) * dHead + c] = state[a * width + c];
      }
      z[h * m + a] = state[a * width + dHead];
    }
  }

  /** Whether the feature map can give a normalizer φ(q)ᵀz ≤ 0 (relu, identity, trig), which is counted. */
  boolean countsNonPositive() {
    return !positiveFeatures;
  }

  /**
   * The normalizer φ(q)ᵀz + eps of each row from its stabilized value {@code raw} = φ̃(q)ᵀz̃ (an [n, 1]
   * array, modified in place): with φ(q) = e^s·φ̃(q) and z = e^c·z̃, the output's ratio is
   * φ̃ᵀS̃ / (φ̃ᵀz̃ + eps·e^(−(s+c))), exactly the unstabilized one. Rows whose φ(q)ᵀz ≤ 0 are marked
   * in {@code nonPositive}.
   *
   * @param queryLogScale s per row [n, 1], or null with c = 0 (elementwise maps: plain + eps)
   */
  INDArray normalizer(INDArray raw, INDArray queryLogScale, double c, INDArray nonPositive) {
    if (nonPositive != null) {
      nonPositive.addi(raw.lte(0.0).castTo(DataType.FLOAT));
    }
    if (queryLogScale == null) {
      return raw.addi(eps);
    }
    INDArray epsTerm = Transforms.exp(queryLogScale.add(c).negi(), false).muli(eps);
    return raw.addi(epsTerm);
  }

  void requireShape(Summary state) {
    if (state.heads() != heads || state.m() != m || state.dHead() != dHead) {
      throw new IllegalArgumentException("state shape [" + state.heads() + "," + state.m() + "," + state.dHead()
          + "] does not match the model's [" + heads + "," + m + "," + dHead + "]");
    }
  }

  /** Head h's columns [h·width, (h+1)·width) of a per-head array, a view. */
  static INDArray head(INDArray perHead, int h, int width) {
    return perHead.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * width, (long) (h + 1) * width));
  }

  /** A [count, 1] column of γ^(first + step·i). */
  static INDArray powers(double logGamma, int count, int first, int step) {
    float[] p = new float[count];
    for (int i = 0; i < count; i++) {
      p[i] = (float) Math.exp((first + (long) step * i) * logGamma);
    }
    return Nd4j.create(p, new long[] {count, 1}, DataType.FLOAT);
  }

  /** A [rows, columns] float array of double values, in the current workspace. */
  static INDArray floats(double[] values, int rows, int columns) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return Nd4j.create(f, new long[] {rows, columns}, DataType.FLOAT);
  }

  static INDArrayIndex rows(long from, long count) {
    return NDArrayIndex.interval(from, from + count);
  }
}
