package io.seqattn.core.stack;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureKernel;
import io.seqattn.core.mixer.ChunkWorkspace;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastSubOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * One block's linear-attention mixer on ND4J (docs/model-format-2.md), over a chunk's normed
 * hidden states A [n, d]: the chunk's {@link Summary} (pass 1) and Mixer(A) [n, d] against the
 * chunk's context (pass 2), float32 inside the chunk, double across chunks.
 *
 * <p>All input projections are one GEMM, A·[W_q | W_k | W_v | W_g | gate], heads column blocks of
 * it. A short convolution ({@link ShortConvSpec}) then runs down the q, k and v columns as K
 * shifted row-vector products over the chunk's rows after the rows before it ({@link Before},
 * projected by one more small GEMM), and a {@link SlidingWindow} adds exact softmax over the last
 * w positions to each head's output. Per head: features φ by the feature map's
 * {@link FeatureKernel} (random maps stabilized in log space, their log-scale carried as in
 * format 1), rotary positions on the numerator's features, and a log-gate g ∈ ℝ^m per position
 * (0, ln γ, GLA's or the scalar gate), whose cumulative sums are taken in double.
 *
 * <p>Causal pass 2 is chunkwise-parallel over blocks of B positions: with G the cumulative gate
 * inside a block, the intra-block part is ((φ^R(Q) ⊙ e^G)(φ^R(K) ⊙ e^(−G))ᵀ ⊙ tril)·V, the state
 * entering the block adds (φ^R(Q) ⊙ e^G)·S_in, and the state steps from block to block as
 * S ← diag(e^(G_end))·S + (φ^R(K) ⊙ e^(G_end − G))ᵀ·V — only factors ≤ 1 except e^(−G) inside a
 * block. A block whose gates fall below e^(−{@value #SAFE_EXPONENT}) in total (gates near 0) would
 * overflow that factor, so its intra-block scores are computed instead exactly, dimension by
 * dimension, from e^(G_i − G_j) ≤ 1, batched over runs of such blocks. No per-token loop; only
 * the m × d_v state steps per block.
 */
final class StackAttention {
  /** Largest exponent the factorized intra-block form may use: e^80 ≈ 5.5e34 < float's 3.4e38. */
  static final double SAFE_EXPONENT = 80;
  /** Blocks whose exact scores are formed at once: [64, B, B, m] weights, 8 MB at B = m = 32. */
  static final int EXACT_BLOCKS = 64;

  private final AttentionSpec spec;
  private final int d;
  private final int heads;
  private final int dk;
  private final int dv;
  private final int m;
  /** The fused input projection and its column ranges. */
  private final INDArray wIn;
  private final int qFrom;
  private final int kFrom;
  private final int vFrom;
  private final int gFrom;
  private final int gateFrom;
  private final INDArray wo;
  private final INDArray gateW2;
  private final INDArray gateB;
  private final double[] aLog;
  private final INDArray dtBias;
  private final double[] logGamma;
  private final INDArray outNormWeight;
  private final FeatureKernel features;
  private final RotaryPositions rotary;
  private final int blockSize;
  /** The short convolution, or null; with it, the query scale is applied after its activation. */
  private final ShortConvSpec conv;
  /** W_q | W_k | W_v alone, for the rows before a chunk a short convolution or window reads. */
  private final INDArray wQkv;
  /** The exact softmax window added to the output, or null. */
  private final SlidingWindow window;
  /** The convolution's taps [K, width] (row j is tap j over the channels) of q, k and v. */
  private final INDArray convQ;
  private final INDArray convK;
  private final INDArray convV;

  /**
   * The rows of the mixer's input just before a chunk (normed, as the chunk's own), and their
   * presence column (null when every one is present): what a short convolution or a window reads
   * across the chunk's start.
   */
  record Before(INDArray a, INDArray present) {}

  StackAttention(AttentionSpec spec, StackModel model, String prefix, int d, int blockSize) {
    this.spec = spec;
    this.d = d;
    this.heads = spec.heads();
    this.dk = spec.dKey();
    this.dv = spec.dValue();
    this.m = spec.features();
    this.blockSize = blockSize;
    String p = prefix + "mixer.";
    int kw = spec.keyWidth();
    int vw = spec.valueWidth();
    this.conv = spec.shortConv();
    float[] wq = model.tensor(p + "wq").clone();
    for (int i = 0; conv == null && i < wq.length; i++) {
      wq[i] *= (float) spec.queryScale(); // a linear map: folded into W_q unless an activation follows
    }
    int width = 2 * kw + vw;
    this.qFrom = 0;
    this.kFrom = kw;
    this.vFrom = 2 * kw;
    this.gFrom = width;
    if (spec.outputGate()) {
      width += vw;
    }
    this.gateFrom = width;
    GateSpec gate = spec.gate();
    int gateWidth = switch (gate.kind()) {
      case GLA -> ((GateSpec.Gla) gate).rank();
      case SCALAR -> heads;
      case NONE, CONSTANT -> 0;
    };
    width += gateWidth;
    float[] fused = new float[d * width];
    for (int r = 0; r < d; r++) {
      int at = r * width;
      System.arraycopy(wq, r * kw, fused, at, kw);
      System.arraycopy(model.tensor(p + "wk"), r * kw, fused, at + kFrom, kw);
      System.arraycopy(model.tensor(p + "wv"), r * vw, fused, at + vFrom, vw);
      if (spec.outputGate()) {
        System.arraycopy(model.tensor(p + "wg"), r * vw, fused, at + gFrom, vw);
      }
      if (gate.kind() == GateSpec.Kind.GLA) {
        System.arraycopy(model.tensor(p + "gate.w1"), r * gateWidth, fused, at + gateFrom, gateWidth);
      } else if (gate.kind() == GateSpec.Kind.SCALAR) {
        System.arraycopy(model.tensor(p + "gate.w_dt"), r * gateWidth, fused, at + gateFrom, gateWidth);
      }
    }
    this.wIn = Nd4j.create(fused, new long[] {d, width}, DataType.FLOAT);
    this.wQkv = spec.haloRows() == 0 ? null : columns(wIn, 0, 2 * kw + vw).dup();
    this.window = spec.window() == 0 ? null : new SlidingWindow(spec.window(), heads, dk, dv, blockSize);
    this.convQ = conv == null ? null : taps(model.tensor(p + "conv_q"), kw);
    this.convK = conv == null ? null : taps(model.tensor(p + "conv_k"), kw);
    this.convV = conv == null ? null : taps(model.tensor(p + "conv_v"), vw);
    this.wo = Nd4j.create(model.tensor(p + "wo"), new long[] {vw, d}, DataType.FLOAT);
    this.gateW2 = gate.kind() == GateSpec.Kind.GLA
        ? Nd4j.create(model.tensor(p + "gate.w2"), new long[] {gateWidth, kw}, DataType.FLOAT) : null;
    this.gateB = gate.kind() == GateSpec.Kind.GLA
        ? Nd4j.create(model.tensor(p + "gate.b"), new long[] {1, kw}, DataType.FLOAT) : null;
    this.aLog = gate.kind() == GateSpec.Kind.SCALAR ? toDoubles(model.tensor(p + "gate.a_log")) : null;
    this.dtBias = gate.kind() == GateSpec.Kind.SCALAR
        ? Nd4j.create(model.tensor(p + "gate.b_dt"), new long[] {1, heads}, DataType.FLOAT) : null;
    this.logGamma = new double[heads];
    if (gate.kind() == GateSpec.Kind.CONSTANT) {
      double[] gamma = ((GateSpec.Constant) gate).decay();
      for (int h = 0; h < heads; h++) {
        logGamma[h] = Math.log(gamma[h]);
      }
    }
    this.outNormWeight = spec.outputNorm() == null ? null
        : Nd4j.create(model.tensor(p + "out_norm.weight"), new long[] {1, dv}, DataType.FLOAT);
    this.features = spec.featureMap().bind(spec.featureMap().usesOmega() ? model.tensor(p + "omega") : null, heads,
        dk, m);
    this.rotary = spec.rope() ? new RotaryPositions(m) : null;
  }

  /** A convolution's weights [C, K] as taps [K, C]. */
  private INDArray taps(float[] weights, int channels) {
    return Nd4j.create(weights, new long[] {channels, conv.kernel()}, DataType.FLOAT).transpose().dup('c');
  }

  private static double[] toDoubles(float[] f) {
    double[] out = new double[f.length];
    for (int i = 0; i < f.length; i++) {
      out[i] = f[i];
    }
    return out;
  }

  /** The projections of one chunk, the features of its heads, and its log-gates. */
  private final class Projected {
    final INDArray all;
    final INDArray q;
    final INDArray k;
    final INDArray v;
    final INDArray present;
    /** The window's queries [n, H·d_k], and keys and values of the halo rows and the chunk's, or null. */
    final INDArray windowQ;
    final INDArray windowK;
    final INDArray windowV;
    final INDArray windowPresent;
    final INDArray[] angles;
    /** [n, H·m] log-gates g per position and key dimension, in double, or null without a gate. */
    final INDArray logGates;
    final int n;

    Projected(INDArray a, long start, INDArray presentColumn, Before before) {
      n = (int) a.rows();
      all = Nd4j.createUninitialized(DataType.FLOAT, n, wIn.columns());
      Nd4j.gemm(a, wIn, all, false, false, 1.0, 0.0);
      int h = before == null ? 0 : (int) before.a().rows();
      INDArray rowsQkv = wQkv == null ? all : columns(all, 0, (int) wQkv.columns());
      INDArray rowsPresent = presentColumn;
      if (h > 0) { // the halo's projections stacked before the chunk's
        INDArray earlier = Nd4j.createUninitialized(DataType.FLOAT, h, wQkv.columns());
        Nd4j.gemm(before.a(), wQkv, earlier, false, false, 1.0, 0.0);
        rowsQkv = Nd4j.vstack(earlier, rowsQkv.dup());
        rowsPresent = before.present() == null && presentColumn == null ? null
            : Nd4j.vstack(orOnes(before.present(), h), orOnes(presentColumn, n));
      }
      INDArray qAll;
      INDArray kAll;
      INDArray vAll;
      if (conv == null) {
        qAll = columns(rowsQkv, qFrom, spec.keyWidth()).dup();
        kAll = columns(rowsQkv, kFrom, spec.keyWidth()).dup();
        vAll = columns(rowsQkv, vFrom, spec.valueWidth()).dup();
      } else {
        qAll = convolved(rowsQkv, qFrom, spec.keyWidth(), rowsPresent, convQ);
        if (spec.queryScale() != 1) {
          qAll.muli(spec.queryScale());
        }
        kAll = convolved(rowsQkv, kFrom, spec.keyWidth(), rowsPresent, convK);
        vAll = convolved(rowsQkv, vFrom, spec.valueWidth(), rowsPresent, convV);
      }
      q = lastRows(qAll, n).dup();
      k = lastRows(kAll, n).dup();
      v = lastRows(vAll, n).dup();
      if (window != null) {
        windowQ = q.dup(); // before the feature map rewrites q
        windowK = kAll;
        windowV = vAll;
        windowPresent = rowsPresent;
      } else {
        windowQ = windowK = windowV = windowPresent = null;
      }
      present = presentColumn;
      features.prepareQueries(q);
      features.prepareKeys(k, present);
      angles = rotary == null ? null : rotary.angles(start, n);
      logGates = spec.causal() ? logGates() : null;
    }

    /** g for every position, head and key dimension: [n, H·m] double. */
    private INDArray logGates() {
      return switch (spec.gate().kind()) {
        case NONE -> null;
        case CONSTANT -> {
          INDArray g = Nd4j.createUninitialized(DataType.DOUBLE, n, (long) heads * m);
          for (int h = 0; h < heads; h++) {
            columns(g, h * m, m).assign(logGamma[h]);
          }
          yield g;
        }
        case GLA -> {
          GateSpec.Gla gla = (GateSpec.Gla) spec.gate();
          INDArray low = columns(all, gateFrom, gla.rank());
          INDArray pre = Nd4j.createUninitialized(DataType.FLOAT, n, spec.keyWidth());
          Nd4j.gemm(low, gateW2, pre, false, false, 1.0, 0.0);
          yield logSigmoid(pre.addiRowVector(gateB).castTo(DataType.DOUBLE)).divi(gla.tau());
        }
        case SCALAR -> {
          INDArray dt = softplus(columns(all, gateFrom, heads).addRowVector(dtBias).castTo(DataType.DOUBLE));
          INDArray g = Nd4j.createUninitialized(DataType.DOUBLE, n, (long) heads * m);
          for (int h = 0; h < heads; h++) {
            INDArray perHead = columns(dt, h, 1).mul(-Math.exp(aLog[h]));
            columns(g, h * m, m).assign(perHead.repeat(1, m));
          }
          yield g;
        }
      };
    }
  }

  /** The column, or a column of {@code rows} ones when it is null (every position present). */
  private static INDArray orOnes(INDArray present, int rows) {
    return present != null ? present : Nd4j.ones(DataType.FLOAT, rows, 1);
  }

  private static INDArray lastRows(INDArray a, int n) {
    return a.get(rows(a.rows() - n, n), NDArrayIndex.all());
  }

  /**
   * act(ũ) [r, width] for the projection in columns [from, from + width) of {@code projected}
   * (the halo's rows, then the chunk's): the rows stacked behind K − 1 zero rows, absent rows
   * zeroed, then ũ = Σ_j X[j : j + r] ⊙ tap_j, tap K − 1 on the current row. The first K − 1
   * outputs of a full halo read those zeros, and nothing reads them: the chunk's own rows and a
   * window's keys lie at least K − 1 rows after the halo's start (or the halo starts the sequence).
   */
  private INDArray convolved(INDArray projected, int from, int width, INDArray present, INDArray taps) {
    int n = (int) projected.rows();
    int pad = conv.haloRows();
    INDArray x = Nd4j.zeros(DataType.FLOAT, pad + n, width);
    INDArray own = x.get(rows(pad, n), NDArrayIndex.all());
    own.assign(columns(projected, from, width));
    if (present != null) {
      own.muliColumnVector(present);
    }
    INDArray y = own.mulRowVector(taps.getRow(pad, true));
    for (int j = 0; j < pad; j++) {
      y.addi(x.get(rows(j, n), NDArrayIndex.all()).mulRowVector(taps.getRow(j, true)));
    }
    if (conv.activation() == ShortConvSpec.Activation.SILU) {
      y.muli(Transforms.sigmoid(y, true));
    }
    return y;
  }

  /** log σ(x) = min(x, 0) − log(1 + e^(−|x|)), stable for any x; in place. */
  private static INDArray logSigmoid(INDArray x) {
    INDArray tail = Transforms.log1p(Transforms.exp(Transforms.abs(x, true).negi(), false), false);
    return Transforms.min(x, 0.0, false).subi(tail);
  }

  /** softplus(x) = max(x, 0) + log(1 + e^(−|x|)); in place. */
  private static INDArray softplus(INDArray x) {
    INDArray tail = Transforms.log1p(Transforms.exp(Transforms.abs(x, true).negi(), false), false);
    return Transforms.max(x, 0.0, false).addi(tail);
  }

  private static INDArray columns(INDArray a, int from, int count) {
    return a.get(NDArrayIndex.all(), NDArrayIndex.interval(from, from + count));
  }

  private static INDArrayIndex rows(long from, long count) {
    return NDArrayIndex.interval(from, from + count);
  }

  /**
   * Pass 1: the chunk's summary, its first position at global {@code start}; {@code before} the
   * rows before it (null at a sequence's start, or when the mixer reads none).
   */
  Summary summarize(INDArray a, long start, INDArray present, Before before) {
    int n = (int) a.rows();
    boolean perDim = spec.gate().kind() == GateSpec.Kind.GLA;
    double[] s = new double[heads * m * dv];
    double[] z = new double[heads * m];
    double[] logScale = new double[heads];
    double[] logDecay = new double[perDim ? heads * m : heads];
    if (n == 0) {
      return new Summary(heads, m, dv, 0, logDecay, s, z, logScale);
    }
    Projected x = new Projected(a, start, present, before);
    INDArray scratch = features.scratch(n);
    INDArray ones = Nd4j.ones(DataType.FLOAT, n, 1);
    for (int h = 0; h < heads; h++) {
      try (MemoryWorkspace ignored = ChunkWorkspace.scope("head")) {
        summarizeHead(x, h, present, scratch, ones, s, z, logScale, logDecay);
      }
    }
    return new Summary(heads, m, dv, n, logDecay, s, z, logScale);
  }

  /** Head h's part of a chunk's summary, written into {@code s}, {@code z}, {@code logScale}, {@code logDecay}. */
  private void summarizeHead(Projected x, int h, INDArray present, INDArray scratch, INDArray ones, double[] s,
      double[] z, double[] logScale, double[] logDecay) {
    int n = x.n;
    boolean perDim = spec.gate().kind() == GateSpec.Kind.GLA;
    FeatureKernel.KeyFeatures kf = features.keys(h, x.k, present, scratch);
    logScale[h] = kf.logScale();
    INDArray k0 = kf.features();
    INDArray kr = rotary == null ? k0 : RotaryPositions.rotate(k0, x.angles);
    if (x.logGates != null) {
      INDArray cumulative = cumulativeInBlocks(columns(x.logGates, h * m, m), 1, n).reshape(n, m);
      INDArray total = cumulative.getRow(n - 1, true).dup();
      // weight e^(ℓ − G_j): what each key has decayed by at the chunk's end
      INDArray weights = Transforms.exp(cumulative.rsubiRowVector(total), false).castTo(DataType.FLOAT);
      kr = kr.mul(weights);
      k0 = rotary == null ? kr : k0.mul(weights);
      double[] l = total.toDoubleVector();
      if (perDim) {
        System.arraycopy(l, 0, logDecay, h * m, m);
      } else {
        logDecay[h] = l[0];
      }
    }
    INDArray sh = Nd4j.createUninitialized(DataType.FLOAT, m, dv);
    Nd4j.gemm(kr, columns(x.v, h * dv, dv), sh, true, false, 1.0, 0.0);
    INDArray zh = Nd4j.createUninitialized(DataType.FLOAT, m, 1);
    Nd4j.gemm(k0, ones, zh, true, false, 1.0, 0.0);
    float[] sv = HostArrays.floats(sh);
    float[] zv = HostArrays.floats(zh);
    for (int i = 0; i < sv.length; i++) {
      s[h * m * dv + i] = sv[i];
    }
    for (int i = 0; i < m; i++) {
      z[h * m + i] = zv[i];
    }
  }

  /**
   * Pass 2: Mixer(A) [n, d] against the chunk's context — the merged state of the whole sequence
   * (global), or of everything before the chunk (causal; null for a sequence's first chunk);
   * {@code before} as for {@link #summarize}.
   */
  INDArray attend(INDArray a, long start, INDArray present, Summary context, Before before) {
    int n = (int) a.rows();
    if (!spec.causal() && context == null) {
      throw new IllegalArgumentException("state is null: a global layer reads every chunk against the merged state "
          + "of its whole sequence");
    }
    if (context != null && (context.heads() != heads || context.m() != m || context.dHead() != dv)) {
      throw new IllegalArgumentException("state shape [" + context.heads() + "," + context.m() + ","
          + context.dHead() + "] does not match the layer's [" + heads + "," + m + "," + dv + "]");
    }
    Projected x = new Projected(a, start, present, before);
    INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, spec.valueWidth());
    INDArray scratch = features.scratch(n);
    INDArray windowed = window == null ? null : window.apply(x.windowQ, x.windowK, x.windowV, x.windowPresent);
    for (int h = 0; h < heads; h++) {
      try (MemoryWorkspace ignored = ChunkWorkspace.scope("head")) {
        INDArray oh = spec.causal() ? causalHead(x, h, context, scratch) : globalHead(x, h, context, scratch);
        if (windowed != null) {
          oh.addi(columns(windowed, h * dv, dv));
        }
        if (outNormWeight != null) {
          INDArray rms = Transforms.sqrt(oh.mul(oh).mean(true, 1).addi(spec.outputNorm().eps()), false);
          oh = oh.diviColumnVector(rms).muliRowVector(outNormWeight);
        }
        columns(out, h * dv, dv).assign(oh);
      }
    }
    if (spec.outputGate()) {
      INDArray g = columns(x.all, gFrom, spec.valueWidth());
      out.muli(Transforms.sigmoid(g, true).muli(g)); // swish(A·W_g)
    }
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, n, d);
    Nd4j.gemm(out, wo, y, false, false, 1.0, 0.0);
    return y;
  }

  /** One head's output [n, d_v] against the sequence's whole state. */
  private INDArray globalHead(Projected x, int h, Summary state, INDArray scratch) {
    FeatureKernel.QueryFeatures qf = features.queries(h, x.q, scratch);
    INDArray q0 = qf.features();
    INDArray qr = rotary == null ? q0 : RotaryPositions.rotate(q0, x.angles);
    INDArray num = Nd4j.createUninitialized(DataType.FLOAT, x.n, dv);
    Nd4j.gemm(qr, floats(state.sOfHead(h), m, dv), num, false, false, 1.0, 0.0);
    if (!spec.normalizedByZ()) {
      return unscaled(num, qf.rowLogScale(), state.logScale()[h]);
    }
    INDArray den = Nd4j.createUninitialized(DataType.FLOAT, x.n, 1);
    Nd4j.gemm(q0, floats(state.zOfHead(h), m, 1), den, false, false, 1.0, 0.0);
    return divide(num, den, qf.rowLogScale(), state.logScale()[h]);
  }

  /**
   * The numerator itself without a normalizer: stabilized features and state carry the factors
   * e^s (s per query row) and e^c, which a division by the denominator would cancel.
   */
  private static INDArray unscaled(INDArray num, INDArray queryLogScale, double c) {
    if (queryLogScale == null || c == Double.NEGATIVE_INFINITY) {
      return num;
    }
    return num.muliColumnVector(Transforms.exp(queryLogScale.add(c), false));
  }

  /** num / (den + eps), the eps scaled as the stabilized features need (e^(−(s+c)), s per row). */
  private INDArray divide(INDArray num, INDArray den, INDArray queryLogScale, double c) {
    if (queryLogScale == null) {
      den.addi(spec.eps());
    } else {
      den.addi(Transforms.exp(queryLogScale.add(c).negi(), false).muli(spec.eps()));
    }
    Nd4j.getExecutioner().exec(new BroadcastDivOp(num, den, num, 0));
    return num;
  }

  /** One head's causal output [n, d_v], chunkwise-parallel over blocks, from the state before the chunk. */
  private INDArray causalHead(Projected x, int h, Summary prefix, INDArray scratch) {
    int n = x.n;
    int b = blockSize;
    int blocks = (n + b - 1) / b;
    int padded = blocks * b;
    FeatureKernel.QueryFeatures qf = features.queries(h, x.q, scratch);
    INDArray q0 = qf.features().dup();
    INDArray qr = rotary == null ? q0 : RotaryPositions.rotate(q0, x.angles);
    FeatureKernel.KeyFeatures kf = features.keys(h, x.k, x.present, scratch);
    INDArray k0 = kf.features().dup();
    // Keys of this chunk and the state before it meet at the larger of their log-scales.
    double keyScale = kf.logScale();
    double prefixScale = prefix == null ? Double.NEGATIVE_INFINITY : prefix.logScale()[h];
    double scale = Math.max(keyScale, prefixScale);
    if (scale == Double.NEGATIVE_INFINITY) {
      scale = 0;
    }
    if (keyScale != Double.NEGATIVE_INFINITY && keyScale != scale) {
      k0.muli(Math.exp(keyScale - scale));
    }
    double prefixFactor = prefixScale == Double.NEGATIVE_INFINITY ? 0 : Math.exp(prefixScale - scale);
    INDArray kr = rotary == null ? k0 : RotaryPositions.rotate(k0, x.angles);

    // Cumulative gates inside each block, G [blocks, B, m] (0 on padding rows), and each block's total.
    INDArray cumulative = x.logGates == null ? Nd4j.zeros(DataType.DOUBLE, blocks, b, m)
        : cumulativeInBlocks(columns(x.logGates, h * m, m), blocks, b);
    INDArray blockTotal = cumulative.get(NDArrayIndex.all(), NDArrayIndex.point(b - 1), NDArrayIndex.all())
        .dup(); // [blocks, m]
    INDArray decayIn = Transforms.exp(cumulative, true).castTo(DataType.FLOAT); // e^G ≤ 1
    INDArray growth = Transforms.exp(Transforms.min(cumulative.neg(), SAFE_EXPONENT, false), false)
        .castTo(DataType.FLOAT); // e^(−G), clamped
    INDArray toEnd = Transforms.exp(leftInBlock(cumulative, b), false).castTo(DataType.FLOAT); // e^(G_end − G) ≤ 1

    boolean rotated = rotary != null;
    int vWidth = dv + 1;
    INDArray v3 = Nd4j.zeros(DataType.FLOAT, padded, vWidth);
    v3.get(rows(0, n), NDArrayIndex.interval(0, dv)).assign(columns(x.v, h * dv, dv));
    v3.get(rows(0, n), NDArrayIndex.point(dv)).assign(1.0);
    v3 = v3.reshape(blocks, b, vWidth);
    INDArray qr3 = pad(qr, padded).reshape(blocks, b, m);
    INDArray kr3 = pad(kr, padded).reshape(blocks, b, m);
    INDArray q03 = rotated ? pad(q0, padded).reshape(blocks, b, m) : qr3;
    INDArray k03 = rotated ? pad(k0, padded).reshape(blocks, b, m) : kr3;
    INDArray tril = lowerTriangle(b);

    // Within blocks: ((Q ⊙ e^G)(K ⊙ e^(−G))ᵀ ⊙ tril)·[V | 1], exact per dimension where that would overflow.
    INDArray scores = Nd4j.matmul(qr3.mul(decayIn), kr3.mul(growth), false, true, false);
    List<int[]> unsafeRuns = unsafeRuns(blockTotal);
    replaceByExactScores(scores, qr3, kr3, cumulative, unsafeRuns);
    Nd4j.getExecutioner().exec(new BroadcastMulOp(scores, tril, scores, 1, 2));
    INDArray numDen = Nd4j.matmul(scores, v3);
    if (rotated && spec.normalizedByZ()) {
      // the normalizer's features are not rotated: its own intra-block scores
      INDArray denScores = Nd4j.matmul(q03.mul(decayIn), k03.mul(growth), false, true, false);
      replaceByExactScores(denScores, q03, k03, cumulative, unsafeRuns);
      Nd4j.getExecutioner().exec(new BroadcastMulOp(denScores, tril, denScores, 1, 2));
      INDArray den = denScores.sum(true, 2); // [blocks, B, 1]
      numDen.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(dv, dv + 1)).assign(den);
    }

    // What each block adds to the state by its end, and the state entering each block.
    INDArray addedS = Nd4j.matmul(kr3.mul(toEnd), v3, true, false, false); // [blocks, m, d_v + 1]
    INDArray addedZ = rotated
        ? k03.mul(toEnd).sum(true, 1).reshape(blocks, m, 1)
        : addedS.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(dv, dv + 1)).dup();
    float[] entering = enteringStates(prefix, prefixFactor, h, HostArrays.floats(addedS), HostArrays.floats(addedZ),
        HostArrays.floats(Transforms.exp(blockTotal, true)), blocks);
    INDArray enter3 = HostArrays.of(entering, blocks, m, vWidth);
    INDArray carriedS = Nd4j.matmul(qr3.mul(decayIn), enter3);
    if (rotated) {
      INDArray carriedZ = Nd4j.matmul(q03.mul(decayIn),
          enter3.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(dv, dv + 1)).dup());
      carriedS.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(dv, dv + 1)).assign(carriedZ);
    }
    numDen.addi(carriedS);

    INDArray flat = numDen.reshape(padded, vWidth).get(rows(0, n), NDArrayIndex.all());
    INDArray num = flat.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dv)).dup();
    if (!spec.normalizedByZ()) {
      return unscaled(num, qf.rowLogScale(), scale);
    }
    INDArray den = flat.get(NDArrayIndex.all(), NDArrayIndex.interval(dv, dv + 1)).dup();
    return divide(num, den, qf.rowLogScale(), scale);
  }

  /** Rows of {@code a} then zero rows, [padded, columns]. */
  private static INDArray pad(INDArray a, int padded) {
    INDArray out = Nd4j.zeros(DataType.FLOAT, padded, a.columns());
    out.get(rows(0, a.rows()), NDArrayIndex.all()).assign(a);
    return out;
  }

  /** [B, B] of 1 on and below the diagonal (key j ≤ query i), 0 above. */
  private static INDArray lowerTriangle(int b) {
    float[] t = new float[b * b];
    for (int i = 0; i < b; i++) {
      Arrays.fill(t, i * b, i * b + i + 1, 1f);
    }
    return Nd4j.create(t, new long[] {b, b}, DataType.FLOAT);
  }

  /**
   * G [blocks, B, m], the inclusive cumulative sums of the log-gates {@code g} [n, m] within each
   * block of B positions (padding rows 0), summed in double from each block's start. One pass
   * over a primitive array: ND4J's {@code INDArray.cumsum} is a Java loop of {@code putScalar}
   * calls, and took most of a layer's time on 64k-token chunks.
   */
  private static INDArray cumulativeInBlocks(INDArray g, int blocks, int b) {
    int n = (int) g.rows();
    int width = (int) g.columns();
    float[] gates = HostArrays.floats(g);
    double[] running = new double[blocks * b * width];
    for (int p = 0; p < blocks * b; p++) {
      int at = p * width;
      boolean blockStart = p % b == 0;
      for (int a = 0; a < width; a++) {
        double before = blockStart ? 0 : running[at - width + a];
        running[at + a] = p < n ? before + gates[at + a] : before;
      }
    }
    return HostArrays.of(running, blocks, b, width);
  }

  /**
   * G_end − G [blocks, B, m] ≤ 0 from G [blocks, B, m]: the log-decay each position still meets
   * before its block ends. A primitive loop: ND4J's broadcast over axes (0, 2) of a 3-D array walks
   * sub-arrays one by one and took most of a causal layer's time.
   */
  private static INDArray leftInBlock(INDArray cumulative, int b) {
    double[] g = HostArrays.doubles(cumulative);
    int width = (int) cumulative.size(2);
    double[] left = new double[g.length];
    for (int p = 0; p < g.length / width; p++) {
      int end = (p - p % b + b - 1) * width;
      int at = p * width;
      for (int a = 0; a < width; a++) {
        left[at + a] = g[end + a] - g[at + a];
      }
    }
    return HostArrays.of(left, cumulative.shape());
  }

  /** Maximal runs [from, to) of consecutive blocks whose total log-decay is below −SAFE in some dimension. */
  private static List<int[]> unsafeRuns(INDArray blockTotal) {
    float[] unsafe = blockTotal.lt(-SAFE_EXPONENT).castTo(DataType.FLOAT).sum(1).data().asFloat();
    List<int[]> runs = new ArrayList<>();
    for (int blk = 0; blk < unsafe.length; blk++) {
      if (unsafe[blk] > 0) {
        int from = blk;
        while (blk + 1 < unsafe.length && unsafe[blk + 1] > 0 && blk + 1 - from < EXACT_BLOCKS) {
          blk++;
        }
        runs.add(new int[] {from, blk + 1});
      }
    }
    return runs;
  }

  /**
   * Overwrites the factorized scores of the unsafe blocks with exact ones, a run of up to
   * {@value #EXACT_BLOCKS} consecutive blocks at a time:
   * A_ij = Σ_a q_ia·k_ja·e^(min(G_ia − G_ja, 0)) for every pair (i, j) of a block — above the
   * diagonal too, where the mask zeroes it — from weights that are all ≤ 1. The differences are
   * taken in double and the weights [u, B, B, m] formed in float, so a run's arrays stay a few MB.
   */
  private void replaceByExactScores(INDArray scores, INDArray q3, INDArray k3, INDArray cumulative,
      List<int[]> runs) {
    for (int[] run : runs) {
      try (MemoryWorkspace ignored = ChunkWorkspace.scope("exact-run")) {
        replaceRun(scores, q3, k3, cumulative, run);
      }
    }
  }

  /** {@link #replaceByExactScores} for one run [from, to) of blocks. */
  private void replaceRun(INDArray scores, INDArray q3, INDArray k3, INDArray cumulative, int[] run) {
    int b = blockSize;
    long u = run[1] - run[0];
    INDArrayIndex blocks = NDArrayIndex.interval(run[0], run[1]);
    long[] pairs = {u, b, b, m};
    INDArray g = cumulative.get(blocks, NDArrayIndex.all(), NDArrayIndex.all());
    INDArray weights = g.reshape(u, b, 1, m).broadcast(pairs).subi(g.reshape(u, 1, b, m).broadcast(pairs));
    weights = Transforms.exp(Transforms.min(weights, 0.0, false), false).castTo(DataType.FLOAT);
    weights.muli(q3.get(blocks, NDArrayIndex.all(), NDArrayIndex.all()).reshape(u, b, 1, m).broadcast(pairs))
        .muli(k3.get(blocks, NDArrayIndex.all(), NDArrayIndex.all()).reshape(u, 1, b, m).broadcast(pairs));
    scores.get(blocks, NDArrayIndex.all(), NDArrayIndex.all()).assign(weights.sum(3));
  }

  /**
   * [S | z] entering each block of head h, row-major [blocks][m][d_v + 1]: block 0 gets the chunk's
   * prefix (times {@code prefixFactor}, bringing it to the chunk's log-scale); block i + 1 gets
   * diag(e^(G_end,i))·(state entering i) + (what block i added).
   */
  private float[] enteringStates(Summary prefix, double prefixFactor, int h, float[] addedS, float[] addedZ,
      float[] blockDecay, int blocks) {
    int width = dv + 1;
    int size = m * width;
    float[] states = new float[blocks * size];
    if (prefix != null) {
      prefix.augmentedStateOfHead(h, prefixFactor, states);
    }
    for (int i = 1; i < blocks; i++) {
      int to = i * size;
      int from = to - size;
      for (int a = 0; a < m; a++) {
        float decay = blockDecay[(i - 1) * m + a];
        int row = a * width;
        for (int c = 0; c < dv; c++) {
          states[to + row + c] = decay * states[from + row + c] + addedS[from + row + c];
        }
        states[to + row + dv] = decay * states[from + row + dv] + addedZ[(i - 1) * m + a];
      }
    }
    return states;
  }

  /** A [rows, columns] float array of double values. */
  private static INDArray floats(double[] values, int rows, int columns) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return HostArrays.of(f, rows, columns);
  }
}
