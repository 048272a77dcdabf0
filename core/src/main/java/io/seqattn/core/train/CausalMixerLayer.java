package io.seqattn.core.train;

import io.seqattn.core.stack.AttentionSpec;
import io.seqattn.core.stack.GateSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import io.seqattn.core.mixer.ChunkWorkspace;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * A causal linear-attention mixer and its backward, for gates with one log-decay per head and
 * position (none, constant γ, Mamba2's scalar gate): position t reads S_t = e^(g_t)·S_(t−1) +
 * (R F_k)_tᵀ V_t and z_t likewise (unrotated); num_t = (R F_q)_t·S_t, den_t = (F_q)_t·z_t + eps.
 *
 * <p>A chunk's summary is its state from zero, U = Σ_j e^(Λ − G_j)·(R F_k)_jᵀ V_j with G the
 * chunk's running sum of g and Λ its total; chunk c reads the exclusive prefix of the summaries
 * before it, merged in order ({@link MixerState#then}). Inside a chunk the positions go in blocks
 * of {@value #BLOCK}: each block reads the state entering it, e^(G_t − G_start)·(R F_q)_t·S_in,
 * plus its own keys through the block's decay matrix D_tj = e^(G_t − G_j) (j ≤ t, else 0) — GEMMs
 * of [B, m] by [m, B], never a per-token loop, and every factor formed is ≤ 1.
 *
 * <p>The backward is the forward run backwards. {@link #backwardQueries} holds the chunk's
 * context fixed and runs the blocks in reverse with the adjoint of the state leaving each block
 * (zero after the last one): it gives ∂(R F_q), ∂F_q exactly and the keys' and values' gradients
 * from inside the chunk, and its share of the context's adjoint. {@link #keyAdjoints} is the
 * suffix scan over chunks, A_(c−1) = share_c + e^(Λ_c)·A_c; {@link #backwardKeys} adds the
 * keys' path into later chunks, ∂(R F_k)_j = e^(Λ − G_j)·V_j·A_Sᵀ, ∂V_j = e^(Λ − G_j)·(R F_k)_j·A_S.
 * A scalar gate's weights come last ({@link MixerLayer#backwardGates}).
 */
final class CausalMixerLayer implements MixerLayer {
  /**
   * Positions per block inside a chunk: [B, B] decay matrices, GEMMs of B rows. Measured on
   * conf/models/dna-lm.json (d_k 16), one core, 8,192 tokens forward + backward (a one-off
   * harness timing {@code MiniBatchTrainer.nextTokenSequence}; scripts/bench-train.sh times the
   * same call): 128 → 8.5k tokens/s, 256 → 11.7k, 512 → 11k. Fewer blocks mean fewer small ND4J
   * ops, whose fixed cost dominates at these widths; past 256 the work that grows as B² (the
   * within-block products and decay matrices) outweighs the ops saved.
   */
  static final int BLOCK = 256;

  private final LinearMixerCore core;
  private final GateSpec.Kind gate;
  private final double[] logGamma;
  private final double[] aLog;
  private final INDArray wDt;
  private final INDArray bDt;

  /** @param prefix e.g. {@code layers.0.} */
  CausalMixerLayer(String prefix, AttentionSpec spec, int d, Parameters p) {
    if (!spec.causal()) {
      throw new IllegalArgumentException(prefix + "mixer is global: use GlobalMixerLayer");
    }
    this.core = new LinearMixerCore(prefix + "mixer.", spec, d, p);
    this.gate = spec.gate().kind();
    if (gate == GateSpec.Kind.GLA) {
      throw new IllegalArgumentException(core.name() + ": training GLA gates (one decay per key dimension) is not "
          + "implemented yet (none, constant and scalar gates are)");
    }
    if (gate == GateSpec.Kind.CONSTANT) {
      double[] gamma = ((GateSpec.Constant) spec.gate()).decay();
      logGamma = new double[gamma.length];
      for (int h = 0; h < gamma.length; h++) {
        logGamma[h] = Math.log(gamma[h]);
      }
    } else {
      logGamma = null;
    }
    if (gate == GateSpec.Kind.SCALAR) {
      float[] raw = p.raw(core.prefix + "gate.a_log");
      aLog = new double[raw.length];
      for (int h = 0; h < raw.length; h++) {
        aLog[h] = raw[h];
      }
      wDt = p.matrix(core.prefix + "gate.w_dt", d, core.heads);
      bDt = p.row(core.prefix + "gate.b_dt");
    } else {
      aLog = null;
      wDt = null;
      bDt = null;
    }
  }

  @Override
  public boolean trainsGates() {
    return gate == GateSpec.Kind.SCALAR;
  }

  @Override
  public MixerState zeroState() {
    return core.zeroState();
  }

  /**
   * A chunk's decays per head, in double: G (running sums of g within the chunk, inclusive) and
   * the factors every pass needs, e^(Λ − G_j) [n, 1] in the compute type.
   */
  private final class Decay {
    final double[][] g;
    final double[][] cum;
    final double[] total;
    /** Each block's matrix once made, by head and block: the backward reads them twice. */
    private final INDArray[][] matrices;

    Decay(INDArray a) {
      int n = (int) a.rows();
      int heads = core.heads;
      matrices = new INDArray[heads][(n + BLOCK - 1) / BLOCK];
      g = new double[heads][];
      cum = new double[heads][];
      total = new double[heads];
      double[][] raw = logDecays(a);
      for (int h = 0; h < heads; h++) {
        g[h] = raw == null ? new double[n] : raw[h];
        cum[h] = cumulative(g[h]);
        total[h] = n == 0 ? 0 : cum[h][n - 1];
      }
    }

    /** e^(G_to − G_from) for every row t of [from, to) against {@code base} (the running sum before or at). */
    INDArray factors(int h, int from, int to, double base, boolean afterMinusRow, DataType type) {
      double[] out = new double[to - from];
      for (int t = from; t < to; t++) {
        double e = afterMinusRow ? base - cum[h][t] : cum[h][t] - base;
        out[t - from] = Math.exp(Math.min(e, 0));
      }
      return array(out, to - from, 1, type);
    }

    /** G just before row {@code row} (0 at the chunk's start). */
    double before(int h, int row) {
      return row == 0 ? 0 : cum[h][row - 1];
    }

    /**
     * [B, B] D_tj = e^(G_t − G_j) for j ≤ t, 0 above the diagonal, rows [from, to): the
     * differences of the cumulative log-gates, in double, exponentiated (each ≤ 0, so no factor
     * exceeds 1) and rounded to {@code type} once, made in one Java array and handed to ND4J as
     * one buffer — the ten small ND4J ops this took before cost more than the B²/2 exponentials.
     * A gate that does not depend on the data gives every full block the same matrix, which is
     * made once; any other block's is made once per chunk.
     */
    INDArray matrix(int h, int from, int to, DataType type) {
      INDArray made = matrices[h][from / BLOCK];
      if (made == null || made.dataType() != type) {
        made = make(h, from, to, type);
        matrices[h][from / BLOCK] = made;
      }
      return made;
    }

    private INDArray make(int h, int from, int to, DataType type) {
      int b = to - from;
      boolean shared = !trainsGates();
      String key = h + ":" + b + ":" + type;
      if (shared) {
        INDArray cached = sharedDecay.get(key);
        if (cached != null) {
          return cached;
        }
      }
      double[] c = cum[h];
      double[] out = new double[b * b];
      for (int t = 0; t < b; t++) {
        double ct = c[from + t];
        for (int j = 0; j <= t; j++) {
          out[t * b + j] = Math.exp(Math.min(ct - c[from + j], 0));
        }
      }
      INDArray d = array(out, b, b, type);
      if (shared) {
        try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
          INDArray kept = d.detach();
          sharedDecay.put(key, kept);
          return kept;
        }
      }
      return d;
    }
  }

  /** Decay matrices of gates that do not depend on the data, by head, size and type. */
  private final java.util.Map<String, INDArray> sharedDecay = new java.util.concurrent.ConcurrentHashMap<>();

  /**
   * A [rows, cols] array of {@code type} holding {@code values} (row-major), rounded from double
   * once, copied in bulk into the new buffer (Nd4j.create of a Java array copies element by element
   * inside a workspace, which showed in the profile).
   */
  private static INDArray array(double[] values, int rows, int cols, DataType type) {
    INDArray out = Nd4j.createUninitialized(type, rows, cols);
    if (type == DataType.DOUBLE) {
      out.data().asNioDouble().put(values);
    } else {
      float[] rounded = new float[values.length];
      for (int i = 0; i < values.length; i++) {
        rounded[i] = (float) values[i];
      }
      out.data().asNioFloat().put(rounded);
    }
    return out;
  }

  /** g [H][n] for the chunk's rows, or null without a gate. */
  private double[][] logDecays(INDArray a) {
    int n = (int) a.rows();
    switch (gate) {
      case CONSTANT: {
        double[][] g = new double[core.heads][n];
        for (int h = 0; h < core.heads; h++) {
          Arrays.fill(g[h], logGamma[h]);
        }
        return g;
      }
      case SCALAR: {
        double[][] pre = transposed(scalarPreActivation(a));
        double[][] g = new double[core.heads][n];
        for (int h = 0; h < core.heads; h++) {
          double rate = -Math.exp(aLog[h]);
          for (int t = 0; t < n; t++) {
            g[h][t] = rate * softplus(pre[h][t]);
          }
        }
        return g;
      }
      default:
        return null;
    }
  }

  /** A·w_dt + b_dt [n, H], in double. */
  private INDArray scalarPreActivation(INDArray a) {
    return Dense.mm(a, wDt).addiRowVector(bDt).castTo(DataType.DOUBLE);
  }

  private static double[][] transposed(INDArray nh) {
    int n = (int) nh.rows();
    int heads = (int) nh.columns();
    double[] flat = Nd4j.toFlattened('c', nh).toDoubleVector();
    double[][] out = new double[heads][n];
    for (int t = 0; t < n; t++) {
      for (int h = 0; h < heads; h++) {
        out[h][t] = flat[t * heads + h];
      }
    }
    return out;
  }

  private static double softplus(double x) {
    return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  }

  private static double sigmoid(double x) {
    return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
  }

  private static double[] cumulative(double[] g) {
    double[] out = new double[g.length];
    double acc = 0;
    for (int i = 0; i < g.length; i++) {
      acc += g[i];
      out[i] = acc;
    }
    return out;
  }

  /** The chunk's state from zero: U = (e^(Λ − G) ⊙ R F_k)ᵀ·V, u = (e^(Λ − G) ⊙ F_k)ᵀ·1, ℓ = Λ. */
  @Override
  public MixerState summarize(INDArray a, long start, INDArray present) {
    MixerState out = zeroState();
    int n = (int) a.rows();
    if (n == 0) {
      return out;
    }
    DataType type = a.dataType();
    LinearMixerCore.Projected x = core.project(a, start, present, false, true);
    Decay decay = new Decay(a);
    for (int h = 0; h < core.heads; h++) {
      INDArray toEnd = decay.factors(h, 0, n, decay.total[h], true, type);
      out.set(h, Dense.mm(x.fkr[h].mulColumnVector(toEnd), x.values(h), true, false),
          Dense.columnSums(x.fk[h].mulColumnVector(toEnd)).reshape(core.dk, 1));
    }
    System.arraycopy(decay.total, 0, out.ell(), 0, core.heads);
    return out;
  }

  /** The exclusive prefix of the summaries, merged in chunk order. */
  @Override
  public List<MixerState> contexts(List<MixerState> summaries) {
    List<MixerState> out = new ArrayList<>();
    MixerState prefix = zeroState();
    for (MixerState s : summaries) {
      out.add(prefix);
      prefix = prefix.then(s);
    }
    return out;
  }

  @Override
  public INDArray forward(INDArray a, long start, INDArray present, MixerState context) {
    LinearMixerCore.Projected x = core.project(a, start, present, true, true);
    Decay decay = new Decay(a);
    INDArray[] den = new INDArray[core.heads];
    INDArray[] o = new INDArray[core.heads];
    for (int h = 0; h < core.heads; h++) {
      o[h] = read(x, decay, h, context, den, null);
    }
    return core.finish(x, o);
  }

  /** Rows [from, to) of {@code a} (a view). */
  private static INDArray rows(INDArray a, int from, int to) {
    return a.get(NDArrayIndex.interval(from, to), NDArrayIndex.all());
  }

  /**
   * Head h's O for the chunk against its context, block by block; fills den[h] and, when asked,
   * the state entering every block (S_in, z_in).
   */
  private INDArray read(LinearMixerCore.Projected x, Decay decay, int h, MixerState context, INDArray[] den,
      List<INDArray[]> entering) {
    DataType type = x.a.dataType();
    int n = x.n;
    boolean z = core.spec.normalizedByZ();
    INDArray num = Nd4j.createUninitialized(type, n, core.dv);
    INDArray dot = z ? Nd4j.createUninitialized(type, n, 1) : null;
    INDArray s = context.s(h, type);
    INDArray zs = context.z(h, type);
    INDArray v = x.values(h);
    for (int from = 0; from < n; from += BLOCK) {
      int to = Math.min(n, from + BLOCK);
      if (entering != null) {
        entering.add(new INDArray[] {s, zs});
      }
      double base = decay.before(h, from);
      INDArray into = decay.factors(h, from, to, base, false, type);
      INDArray d = decay.matrix(h, from, to, type);
      INDArray qr = rows(x.fqr[h], from, to);
      INDArray kr = rows(x.fkr[h], from, to);
      INDArray vb = rows(v, from, to);
      INDArray scores = Dense.mm(qr, kr, false, true).muli(d);
      rows(num, from, to).assign(Dense.mm(qr, s).muliColumnVector(into).addi(Dense.mm(scores, vb)));
      INDArray q = rows(x.fq[h], from, to);
      INDArray k = rows(x.fk[h], from, to);
      if (z) {
        INDArray own = Dense.rowSums(Dense.mm(q, k, false, true).muli(d));
        rows(dot, from, to).assign(Dense.mm(q, zs).muliColumnVector(into).addi(own));
      }
      double blockDecay = Math.exp(decay.before(h, to) - base);
      INDArray out = decay.factors(h, from, to, decay.before(h, to), true, type);
      s = s.mul(blockDecay).addi(Dense.mm(kr.mulColumnVector(out), vb, true, false));
      zs = zs.mul(blockDecay).addi(Dense.columnSums(k.mulColumnVector(out)).reshape(core.dk, 1));
    }
    return core.normalize(num, dot, den, h);
  }

  @Override
  public Half backwardQueries(INDArray a, long start, INDArray present, MixerState context, INDArray dMixed,
      Gradients grads) {
    DataType type = a.dataType();
    LinearMixerCore.Projected x = core.project(a, start, present, true, true);
    Decay decay = new Decay(a);
    int heads = core.heads;
    int n = x.n;
    boolean z = core.spec.normalizedByZ();
    INDArray[] den = new INDArray[heads];
    INDArray[] o = new INDArray[heads];
    List<List<INDArray[]>> entering = new ArrayList<>();
    for (int h = 0; h < heads; h++) {
      List<INDArray[]> states = new ArrayList<>();
      o[h] = read(x, decay, h, context, den, states);
      entering.add(states);
    }
    LinearMixerCore.OutputAdjoint back = core.backwardOutput(x, o, den, dMixed, grads);
    MixerState share = zeroState();
    INDArray[] dFq = new INDArray[heads];
    INDArray[] dFk = new INDArray[heads];
    INDArray[] dV = new INDArray[heads];
    double[][] dG = trainsGates() ? new double[heads][] : null;
    for (int h = 0; h < heads; h++) {
      INDArray dNum = back.dNum()[h];
      INDArray dDen = back.dDen()[h];
      INDArray dQr = Nd4j.createUninitialized(type, n, core.dk);
      INDArray dKr = Nd4j.createUninitialized(type, n, core.dk);
      INDArray dQd = z ? Nd4j.createUninitialized(type, n, core.dk) : null;
      INDArray dKd = z ? Nd4j.createUninitialized(type, n, core.dk) : null;
      dV[h] = Nd4j.createUninitialized(type, n, core.dv);
      INDArray v = x.values(h);
      // the adjoint of the state leaving the current block; zero after the chunk's last one
      INDArray dS = Nd4j.zeros(type, core.dk, core.dv);
      INDArray dZ = Nd4j.zeros(type, core.dk, 1);
      List<INDArray[]> states = entering.get(h);
      for (int b = states.size() - 1; b >= 0; b--) {
        int from = b * BLOCK;
        int to = Math.min(n, from + BLOCK);
        double base = decay.before(h, from);
        INDArray into = decay.factors(h, from, to, base, false, type);
        INDArray out = decay.factors(h, from, to, decay.before(h, to), true, type);
        double blockDecay = Math.exp(decay.before(h, to) - base);
        INDArray d = decay.matrix(h, from, to, type);
        INDArray sIn = states.get(b)[0];
        INDArray zIn = states.get(b)[1];
        INDArray qr = rows(x.fqr[h], from, to);
        INDArray kr = rows(x.fkr[h], from, to);
        INDArray vb = rows(v, from, to);
        INDArray dn = rows(dNum, from, to);
        INDArray weighted = Dense.mm(dn, vb, false, true).muli(d);
        INDArray scores = Dense.mm(qr, kr, false, true).muli(d);
        rows(dQr, from, to).assign(Dense.mm(dn, sIn, false, true).muliColumnVector(into)
            .addi(Dense.mm(weighted, kr)));
        rows(dKr, from, to).assign(Dense.mm(weighted, qr, true, false)
            .addi(Dense.mm(vb, dS, false, true).muliColumnVector(out)));
        rows(dV[h], from, to).assign(Dense.mm(scores, dn, true, false)
            .addi(Dense.mm(kr.mulColumnVector(out), dS)));
        INDArray qrInto = qr.mulColumnVector(into);
        INDArray nextS = dS.mul(blockDecay).addi(Dense.mm(qrInto, dn, true, false));
        if (z) {
          INDArray q = rows(x.fq[h], from, to);
          INDArray k = rows(x.fk[h], from, to);
          INDArray dd = rows(dDen, from, to);
          INDArray weightedDen = d.mulColumnVector(dd);
          rows(dQd, from, to).assign(Dense.mm(dd, zIn, false, true).muliColumnVector(into)
              .addi(Dense.mm(weightedDen, k)));
          rows(dKd, from, to).assign(Dense.mm(weightedDen, q, true, false)
              .addi(Dense.mm(out, dZ, false, true)));
          dZ = dZ.mul(blockDecay).addi(Dense.mm(q.mulColumnVector(into), dd, true, false));
        }
        dS = nextS;
      }
      share.set(h, dS, dZ);
      if (dG != null) {
        dG[h] = gateAdjoint(x, h, dQr, dQd, dKr, dKd);
      }
      dFq[h] = x.rotate(dQr, -1);
      dFk[h] = x.rotate(dKr, -1);
      if (z) {
        dFq[h].addi(dQd);
        dFk[h].addi(dKd);
      }
    }
    INDArray dA = core.backwardQueries(x, dFq, grads);
    if (back.dA() != null) {
      dA.addi(back.dA());
    }
    dA.addi(core.backwardKeys(x, present, dFk, dV, grads));
    return new Half(dA, share, dG);
  }

  /** ∂G_t = Σ_m(R F_q ⊙ ∂(R F_q) + F_q ⊙ ∂F_q − R F_k ⊙ ∂(R F_k) − F_k ⊙ ∂F_k)_t, in double (null parts skipped). */
  private double[] gateAdjoint(LinearMixerCore.Projected x, int h, INDArray dQr, INDArray dQd, INDArray dKr,
      INDArray dKd) {
    INDArray sum = Nd4j.zeros(DataType.DOUBLE, x.n, 1);
    if (dQr != null) {
      sum.addi(Dense.rowSums(x.fqr[h].mul(dQr)).castTo(DataType.DOUBLE));
    }
    if (dQd != null) {
      sum.addi(Dense.rowSums(x.fq[h].mul(dQd)).castTo(DataType.DOUBLE));
    }
    if (dKr != null) {
      sum.subi(Dense.rowSums(x.fkr[h].mul(dKr)).castTo(DataType.DOUBLE));
    }
    if (dKd != null) {
      sum.subi(Dense.rowSums(x.fk[h].mul(dKd)).castTo(DataType.DOUBLE));
    }
    return sum.toDoubleVector();
  }

  /** The suffix scan: the last chunk's state feeds nothing; A_(c−1) = share_c + e^(Λ_c)·A_c. */
  @Override
  public List<MixerState> keyAdjoints(List<MixerState> summaries, List<MixerState> shares) {
    int count = shares.size();
    MixerState[] out = new MixerState[count];
    MixerState after = zeroState();
    for (int c = count - 1; c >= 0; c--) {
      out[c] = after;
      after = shares.get(c).plus(after.decayed(summaries.get(c).ell()));
    }
    return Arrays.asList(out);
  }

  @Override
  public KeyHalf backwardKeys(INDArray a, long start, INDArray present, MixerState adjoint, Gradients grads) {
    DataType type = a.dataType();
    int n = (int) a.rows();
    LinearMixerCore.Projected x = core.project(a, start, present, false, true);
    Decay decay = new Decay(a);
    boolean z = core.spec.normalizedByZ();
    INDArray[] dFk = new INDArray[core.heads];
    INDArray[] dV = new INDArray[core.heads];
    double[][] dG = trainsGates() ? new double[core.heads][] : null;
    for (int h = 0; h < core.heads; h++) {
      INDArray toEnd = decay.factors(h, 0, n, decay.total[h], true, type);
      INDArray adjS = adjoint.s(h, type);
      INDArray dKr = Dense.mm(x.values(h), adjS, false, true).muliColumnVector(toEnd);
      dV[h] = Dense.mm(x.fkr[h].mulColumnVector(toEnd), adjS);
      INDArray dKd = z ? Dense.mm(toEnd, adjoint.z(h, type), false, true) : null;
      if (dG != null) {
        dG[h] = gateAdjoint(x, h, null, null, dKr, dKd);
      }
      dFk[h] = x.rotate(dKr, -1);
      if (z) {
        dFk[h].addi(dKd);
      }
    }
    return new KeyHalf(core.backwardKeys(x, present, dFk, dV, grads), dG);
  }

  /**
   * The scalar gate g = −e^(a_log)·softplus(P), P = A·w_dt + b_dt: ∂a_log_h = Σ_t ∂g·g,
   * ∂P = ∂g·(−e^(a_log))·σ(P), then w_dt, b_dt and ∂A = ∂P·w_dtᵀ.
   */
  @Override
  public INDArray backwardGates(INDArray a, double[][] dLogDecay, Gradients grads) {
    int n = (int) a.rows();
    int heads = core.heads;
    double[][] pre = transposed(scalarPreActivation(a));
    double[] dALog = new double[heads];
    double[] dPre = new double[n * heads];
    for (int h = 0; h < heads; h++) {
      double rate = -Math.exp(aLog[h]);
      for (int t = 0; t < n; t++) {
        double dg = dLogDecay[h][t];
        dALog[h] += dg * rate * softplus(pre[h][t]);
        dPre[t * heads + h] = dg * rate * sigmoid(pre[h][t]);
      }
    }
    INDArray dp = Nd4j.create(dPre, new long[] {n, heads}, DataType.DOUBLE).castTo(a.dataType());
    grads.add(core.prefix + "gate.a_log", dALog);
    grads.add(core.prefix + "gate.w_dt", Dense.mm(a, dp, true, false));
    grads.add(core.prefix + "gate.b_dt", Dense.columnSums(dp));
    return Dense.mm(dp, wDt, false, true);
  }
}
