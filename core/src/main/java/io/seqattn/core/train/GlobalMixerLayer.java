package io.seqattn.core.train;

import io.seqattn.core.features.ElementwiseFeatureMap;
import io.seqattn.core.stack.AttentionSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A global (non-causal) linear-attention mixer and its backward, over a chunk's normed rows A
 * [n, d] (docs/model-format-2.md). Per head h: Q = s·A·W_q, K = A·W_k, V = A·W_v; F_q = φ(Q),
 * F_k = φ(K) on present rows (0 on absent ones), R the rotary positions (or none); the state is S
 * = Σ_j (R F_k)_jᵀ V_j, z = Σ_j (F_k)_j over the sequence; num = (R F_q)·S, den = F_q·z + eps, O =
 * num/den (or O = num without the normalizer), then the output norm, the output gate ⊙ swish(A·W_g)
 * and W_o.
 *
 * <p>The backward comes in the two halves the state splits it into. {@link #backwardQueries},
 * with the state held fixed: ∂num = ∂O/den, ∂den = −Σ_v(∂O ⊙ O)/den, ∂(R F_q) = ∂num·Sᵀ, ∂F_q =
 * Rᵀ∂(R F_q) + ∂den·zᵀ, and the chunk's share of the state's adjoint ∂S = (R F_q)ᵀ·∂num, ∂z =
 * F_qᵀ·∂den. {@link #backwardKeys}, with the sequence's total adjoint: ∂(R F_k) = V·∂Sᵀ, ∂V =
 * (R F_k)·∂S, ∂F_k = Rᵀ∂(R F_k) + 1·∂zᵀ on present rows. Both end with ∂Q = ∂F_q ⊙ φ'(Q) (∂K
 * likewise) and one GEMM back to ∂A.
 */
final class GlobalMixerLayer {
  private final String prefix;
  private final AttentionSpec spec;
  private final ElementwiseFeatureMap phi;
  private final int heads;
  private final int dk;
  private final int dv;
  private final double queryScale;
  private final INDArray wq;
  private final INDArray wk;
  private final INDArray wv;
  private final INDArray wg;
  private final INDArray wo;
  private final NormLayer outNorm;
  private final double[] theta;

  /** @param prefix e.g. {@code layers.0.} */
  GlobalMixerLayer(String prefix, AttentionSpec spec, int d, Parameters p) {
    this.prefix = prefix + "mixer.";
    this.spec = spec;
    if (spec.causal()) {
      throw new IllegalArgumentException(this.prefix.substring(0, this.prefix.length() - 1) + ": training causal mixers is not implemented yet (only "
          + "global ones)");
    }
    if (!(spec.featureMap() instanceof ElementwiseFeatureMap map)) {
      throw new IllegalArgumentException(this.prefix.substring(0, this.prefix.length() - 1) + ": training the random feature map " + spec.featureMap()
          + " is not implemented yet (elu, relu and identity are)");
    }
    this.phi = map;
    this.heads = spec.heads();
    this.dk = spec.dKey();
    this.dv = spec.dValue();
    this.queryScale = spec.queryScale();
    int kw = spec.keyWidth();
    int vw = spec.valueWidth();
    this.wq = p.matrix(this.prefix + "wq", d, kw);
    this.wk = p.matrix(this.prefix + "wk", d, kw);
    this.wv = p.matrix(this.prefix + "wv", d, vw);
    this.wo = p.matrix(this.prefix + "wo", vw, d);
    this.wg = spec.outputGate() ? p.matrix(this.prefix + "wg", d, vw) : null;
    this.outNorm = spec.outputNorm() == null ? null : new NormLayer(this.prefix + "out_norm", spec.outputNorm(), p);
    if (spec.rope()) {
      theta = new double[dk / 2];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = 1.0 / Math.pow(10000.0, 2.0 * i / dk);
      }
    } else {
      theta = null;
    }
  }

  GlobalState zeroState() {
    return GlobalState.zero(heads, dk, dv);
  }

  /** What every pass recomputes from A: the projections, each head's features and the rotation's angles. */
  private final class Projected {
    final int n;
    final INDArray a;
    final INDArray v;
    final INDArray gate;
    final INDArray[] q = new INDArray[heads];
    final INDArray[] k = new INDArray[heads];
    final INDArray[] fq = new INDArray[heads];
    final INDArray[] fk = new INDArray[heads];
    final INDArray[] fqr = new INDArray[heads];
    final INDArray[] fkr = new INDArray[heads];
    final INDArray cos;
    final INDArray sin;

    Projected(INDArray a, long start, INDArray present, boolean queries, boolean keys) {
      this.n = (int) a.rows();
      this.a = a;
      INDArray[] angles = theta == null ? null : angles(start, n, a.dataType());
      cos = angles == null ? null : angles[0];
      sin = angles == null ? null : angles[1];
      INDArray qAll = queries ? Dense.mm(a, wq).muli(queryScale) : null;
      INDArray kAll = keys ? Dense.mm(a, wk) : null;
      v = Dense.mm(a, wv);
      gate = wg == null || !queries ? null : Dense.mm(a, wg);
      for (int h = 0; h < heads; h++) {
        if (queries) {
          q[h] = Dense.columns(qAll, (long) h * dk, dk);
          fq[h] = features(q[h]);
          fqr[h] = rotate(fq[h], 1);
        }
        if (keys) {
          k[h] = Dense.columns(kAll, (long) h * dk, dk);
          fk[h] = features(k[h]).muliColumnVector(present);
          fkr[h] = rotate(fk[h], 1);
        }
      }
    }

    INDArray values(int h) {
      return Dense.columns(v, (long) h * dv, dv);
    }

    /** R x (sign 1) or Rᵀ x (sign −1) on [n, m]: pairs (2i, 2i+1) turned by ±p·θ_i; x itself without RoPE. */
    INDArray rotate(INDArray x, int sign) {
      if (cos == null) {
        return x;
      }
      INDArray pairs = x.dup('c').reshape(n, dk / 2, 2);
      INDArray first = pairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0)).dup('c');
      INDArray second = pairs.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1)).dup('c');
      INDArray out = Nd4j.createUninitialized(x.dataType(), n, dk / 2, 2);
      out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(0))
          .assign(first.mul(cos).subi(second.mul(sin).muli(sign)));
      out.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.point(1))
          .assign(first.mul(sin).muli(sign).addi(second.mul(cos)));
      return out.reshape(n, dk);
    }
  }

  private INDArray features(INDArray x) {
    INDArray f = x.dup('c');
    phi.applyInPlace(f);
    return f;
  }

  /** cos and sin of (start + r)·θ_i, [n, m/2], computed in double. */
  private INDArray[] angles(long start, int n, DataType type) {
    int half = theta.length;
    double[] c = new double[n * half];
    double[] s = new double[n * half];
    for (int r = 0; r < n; r++) {
      for (int i = 0; i < half; i++) {
        double angle = (start + r) * theta[i];
        c[r * half + i] = Math.cos(angle);
        s[r * half + i] = Math.sin(angle);
      }
    }
    return new INDArray[] {Nd4j.create(c, new long[] {n, half}, DataType.DOUBLE).castTo(type),
        Nd4j.create(s, new long[] {n, half}, DataType.DOUBLE).castTo(type)};
  }

  /** The chunk's share of the state: S_h = (R F_k)ᵀ·V, z_h = F_kᵀ·1. */
  GlobalState summarize(INDArray a, long start, INDArray present) {
    GlobalState out = zeroState();
    if (a.rows() == 0) {
      return out;
    }
    Projected x = new Projected(a, start, present, false, true);
    for (int h = 0; h < heads; h++) {
      out.set(h, Dense.mm(x.fkr[h], x.values(h), true, false), Dense.columnSums(x.fk[h]).reshape(dk, 1));
    }
    return out;
  }

  /** Mixer(A) [n, d] against the sequence's state. */
  INDArray forward(INDArray a, long start, INDArray present, GlobalState state) {
    Projected x = new Projected(a, start, present, true, false);
    INDArray[] o = new INDArray[heads];
    INDArray[] den = new INDArray[heads];
    return Dense.mm(gated(x, state, o, den, null), wo);
  }

  /**
   * The heads' outputs after norm and gate, [n, H·d_v]; fills each head's O (before the output
   * norm) and den (null without the normalizer), and the concatenation before the gate when asked.
   */
  private INDArray gated(Projected x, GlobalState state, INDArray[] o, INDArray[] den, INDArray[] ungated) {
    DataType type = x.a.dataType();
    INDArray cat = Nd4j.createUninitialized(type, x.n, (long) heads * dv);
    for (int h = 0; h < heads; h++) {
      INDArray num = Dense.mm(x.fqr[h], state.s(h, type));
      if (spec.normalizedByZ()) {
        den[h] = Dense.mm(x.fq[h], state.z(h, type)).addi(spec.eps());
        o[h] = num.divColumnVector(den[h]);
      } else {
        o[h] = num;
      }
      Dense.columnView(cat, (long) h * dv, dv).assign(outNorm == null ? o[h] : outNorm.apply(o[h]));
    }
    if (ungated != null) {
      ungated[0] = cat;
    }
    return x.gate == null ? cat : cat.mul(swish(x.gate));
  }

  private static INDArray swish(INDArray g) {
    return Transforms.sigmoid(g, true).muli(g);
  }

  /**
   * The backward with the state held fixed: ∂A through the queries and the output gate, the
   * gradients of W_q, W_g, W_o and the output norm, and the chunk's share of the state's adjoint.
   *
   * @param dMixed ∂loss/∂Mixer(A) [n, d]
   */
  Half backwardQueries(INDArray a, long start, INDArray present, GlobalState state, INDArray dMixed,
      Gradients grads) {
    DataType type = a.dataType();
    Projected x = new Projected(a, start, present, true, false);
    INDArray[] o = new INDArray[heads];
    INDArray[] den = new INDArray[heads];
    INDArray[] ungated = new INDArray[1];
    INDArray out = gated(x, state, o, den, ungated);
    grads.add(prefix + "wo", Dense.mm(out, dMixed, true, false));
    INDArray dOut = Dense.mm(dMixed, wo, false, true);
    INDArray dCat = dOut;
    INDArray dGate = null;
    if (x.gate != null) {
      INDArray sigma = Transforms.sigmoid(x.gate, true);
      dCat = dOut.mul(sigma.mul(x.gate));
      // swish'(g) = σ + g·σ·(1 − σ)
      INDArray swishPrime = sigma.rsub(1.0).muli(x.gate).addi(1.0).muli(sigma);
      dGate = dOut.mul(ungated[0]).muli(swishPrime);
    }
    GlobalState adjoint = zeroState();
    INDArray dq = Nd4j.createUninitialized(type, x.n, (long) heads * dk);
    for (int h = 0; h < heads; h++) {
      INDArray dO = Dense.columns(dCat, (long) h * dv, dv);
      if (outNorm != null) {
        dO = outNorm.backward(o[h], dO, grads);
      }
      INDArray dNum = dO;
      INDArray dDen = null;
      if (den[h] != null) {
        dNum = dO.divColumnVector(den[h]);
        dDen = Dense.rowSums(dO.mul(o[h])).divi(den[h]).negi();
      }
      INDArray dFq = x.rotate(Dense.mm(dNum, state.s(h, type), false, true), -1);
      INDArray adjZ;
      if (dDen != null) {
        dFq.addi(Dense.mm(dDen, state.z(h, type), false, true));
        adjZ = Dense.mm(x.fq[h], dDen, true, false);
      } else {
        adjZ = Nd4j.zeros(type, dk, 1);
      }
      adjoint.set(h, Dense.mm(x.fqr[h], dNum, true, false), adjZ);
      Dense.columnView(dq, (long) h * dk, dk).assign(dFq.muli(phi.derivative(x.q[h])));
    }
    dq.muli(queryScale);
    grads.add(prefix + "wq", Dense.mm(a, dq, true, false));
    INDArray dA = Dense.mm(dq, wq, false, true);
    if (dGate != null) {
      grads.add(prefix + "wg", Dense.mm(a, dGate, true, false));
      dA.addi(Dense.mm(dGate, wg, false, true));
    }
    return new Half(dA, adjoint);
  }

  /** ∂A of the query half, and the chunk's share of the state's adjoint. */
  record Half(INDArray dA, GlobalState adjoint) {}

  /**
   * The backward through the keys and values, with the sequence's total adjoint of the state: ∂A
   * and the gradients of W_k and W_v.
   */
  INDArray backwardKeys(INDArray a, long start, INDArray present, GlobalState adjoint, Gradients grads) {
    DataType type = a.dataType();
    Projected x = new Projected(a, start, present, false, true);
    INDArray dk2 = Nd4j.createUninitialized(type, x.n, (long) heads * dk);
    INDArray dvAll = Nd4j.createUninitialized(type, x.n, (long) heads * dv);
    for (int h = 0; h < heads; h++) {
      INDArray adjS = adjoint.s(h, type);
      INDArray dFk = x.rotate(Dense.mm(x.values(h), adjS, false, true), -1);
      if (spec.normalizedByZ()) {
        dFk.addiRowVector(adjoint.z(h, type).reshape(1, dk));
      }
      dFk.muliColumnVector(present);
      Dense.columnView(dk2, (long) h * dk, dk).assign(dFk.muli(phi.derivative(x.k[h])));
      Dense.columnView(dvAll, (long) h * dv, dv).assign(Dense.mm(x.fkr[h], adjS));
    }
    grads.add(prefix + "wk", Dense.mm(a, dk2, true, false));
    grads.add(prefix + "wv", Dense.mm(a, dvAll, true, false));
    return Dense.mm(dk2, wk, false, true).addi(Dense.mm(dvAll, wv, false, true));
  }
}
