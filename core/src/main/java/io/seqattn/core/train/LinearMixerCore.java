package io.seqattn.core.train;

import io.seqattn.core.features.ElementwiseFeatureMap;
import io.seqattn.core.stack.AttentionSpec;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * What global and causal linear-attention mixers share (docs/model-format-2.md): the weights, the
 * pointwise work on a chunk's normed rows A [n, d] — per head Q = s·A·W_q, K = A·W_k, V = A·W_v,
 * F_q = φ(Q), F_k = φ(K) on present rows (0 on absent ones), R F the rotary positions (or F
 * itself) — and the output stage after each head's O: the output norm, the gate ⊙ swish(A·W_g)
 * and W_o, forward and backward. The mixers differ only in how O is read from the state.
 */
final class LinearMixerCore {
  final String prefix;
  final AttentionSpec spec;
  final ElementwiseFeatureMap phi;
  final int heads;
  final int dk;
  final int dv;
  private final double queryScale;
  private final INDArray wq;
  private final INDArray wk;
  private final INDArray wv;
  private final INDArray wg;
  private final INDArray wo;
  private final NormLayer outNorm;
  private final double[] theta;

  /** @param prefix e.g. {@code layers.0.mixer.} */
  LinearMixerCore(String prefix, AttentionSpec spec, int d, Parameters p) {
    this.prefix = prefix;
    this.spec = spec;
    if (!(spec.featureMap() instanceof ElementwiseFeatureMap map)) {
      throw new IllegalArgumentException(name() + ": training the random feature map " + spec.featureMap()
          + " is not implemented yet (elu, relu and identity are)");
    }
    if (spec.shortConv() != null) {
      throw new IllegalArgumentException(name() + ": training a short convolution is not implemented yet (inference "
          + "runs it; drop mixer.short_conv to train)");
    }
    if (spec.window() > 0) {
      throw new IllegalArgumentException(name() + ": training a sliding window is not implemented yet (inference "
          + "runs it; drop mixer.window to train)");
    }
    this.phi = map;
    this.heads = spec.heads();
    this.dk = spec.dKey();
    this.dv = spec.dValue();
    this.queryScale = spec.queryScale();
    int kw = spec.keyWidth();
    int vw = spec.valueWidth();
    this.wq = p.matrix(prefix + "wq", d, kw);
    this.wk = p.matrix(prefix + "wk", d, kw);
    this.wv = p.matrix(prefix + "wv", d, vw);
    this.wo = p.matrix(prefix + "wo", vw, d);
    this.wg = spec.outputGate() ? p.matrix(prefix + "wg", d, vw) : null;
    this.outNorm = spec.outputNorm() == null ? null : new NormLayer(prefix + "out_norm", spec.outputNorm(), p);
    if (spec.rope()) {
      theta = new double[dk / 2];
      for (int i = 0; i < theta.length; i++) {
        theta[i] = 1.0 / Math.pow(10000.0, 2.0 * i / dk);
      }
    } else {
      theta = null;
    }
  }

  /** The mixer's name in messages, e.g. {@code layers.0.mixer}. */
  String name() {
    return prefix.substring(0, prefix.length() - 1);
  }

  MixerState zeroState() {
    return MixerState.zero(heads, dk, dv);
  }

  /** What every pass recomputes from A: the projections, each head's features and the rotation's angles. */
  final class Projected {
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

  Projected project(INDArray a, long start, INDArray present, boolean queries, boolean keys) {
    return new Projected(a, start, present, queries, keys);
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

  /** O = num/den (den = F_q·z + eps) with the z normalizer, else num; fills {@code den[h]} (or null). */
  INDArray normalize(INDArray num, INDArray denWithoutEps, INDArray[] den, int h) {
    if (!spec.normalizedByZ()) {
      den[h] = null;
      return num;
    }
    den[h] = denWithoutEps.addi(spec.eps());
    return num.divColumnVector(den[h]);
  }

  /** Mixer(A) [n, d] from each head's O [n, d_v]. */
  INDArray finish(Projected x, INDArray[] o) {
    return Dense.mm(gated(x, o, null), wo);
  }

  /** The heads' outputs after norm and gate, [n, H·d_v]; the concatenation before the gate when asked. */
  private INDArray gated(Projected x, INDArray[] o, INDArray[] ungated) {
    INDArray cat = Nd4j.createUninitialized(x.a.dataType(), x.n, (long) heads * dv);
    for (int h = 0; h < heads; h++) {
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

  /** The output stage's backward: ∂num and ∂den (null without z) per head, ∂A through the gate. */
  record OutputAdjoint(INDArray[] dNum, INDArray[] dDen, INDArray dA) {}

  /**
   * Back through W_o, the gate and the output norm, then O = num/den: gradients of W_o, W_g and
   * the output norm; ∂num = ∂O/den and ∂den = −Σ_v(∂O ⊙ O)/den per head.
   *
   * @param dMixed ∂loss/∂Mixer(A) [n, d]
   */
  OutputAdjoint backwardOutput(Projected x, INDArray[] o, INDArray[] den, INDArray dMixed, Gradients grads) {
    INDArray[] ungated = new INDArray[1];
    INDArray out = gated(x, o, ungated);
    grads.add(prefix + "wo", Dense.mm(out, dMixed, true, false));
    INDArray dOut = Dense.mm(dMixed, wo, false, true);
    INDArray dCat = dOut;
    INDArray dA = null;
    if (x.gate != null) {
      INDArray sigma = Transforms.sigmoid(x.gate, true);
      dCat = dOut.mul(sigma.mul(x.gate));
      // swish'(g) = σ + g·σ·(1 − σ)
      INDArray swishPrime = sigma.rsub(1.0).muli(x.gate).addi(1.0).muli(sigma);
      INDArray dGate = dOut.mul(ungated[0]).muli(swishPrime);
      grads.add(prefix + "wg", Dense.mm(x.a, dGate, true, false));
      dA = Dense.mm(dGate, wg, false, true);
    }
    INDArray[] dNum = new INDArray[heads];
    INDArray[] dDen = new INDArray[heads];
    for (int h = 0; h < heads; h++) {
      INDArray dO = Dense.columns(dCat, (long) h * dv, dv);
      if (outNorm != null) {
        dO = outNorm.backward(o[h], dO, grads);
      }
      dNum[h] = dO;
      if (den[h] != null) {
        dNum[h] = dO.divColumnVector(den[h]);
        dDen[h] = Dense.rowSums(dO.mul(o[h])).divi(den[h]).negi();
      }
    }
    return new OutputAdjoint(dNum, dDen, dA);
  }

  /**
   * ∂A through the queries, given ∂F_q per head [n, m] (already un-rotated): ∂Q = ∂F_q ⊙ φ'(Q),
   * the gradient of W_q and ∂A = ∂Q·W_qᵀ.
   */
  INDArray backwardQueries(Projected x, INDArray[] dFq, Gradients grads) {
    INDArray dq = Nd4j.createUninitialized(x.a.dataType(), x.n, (long) heads * dk);
    for (int h = 0; h < heads; h++) {
      Dense.columnView(dq, (long) h * dk, dk).assign(dFq[h].mul(phi.derivative(x.q[h])));
    }
    dq.muli(queryScale);
    grads.add(prefix + "wq", Dense.mm(x.a, dq, true, false));
    return Dense.mm(dq, wq, false, true);
  }

  /**
   * ∂A through the keys and values, given ∂F_k (un-rotated, before the presence mask) and ∂V per
   * head: the gradients of W_k and W_v and ∂A.
   */
  INDArray backwardKeys(Projected x, INDArray present, INDArray[] dFk, INDArray[] dV, Gradients grads) {
    INDArray dkAll = Nd4j.createUninitialized(x.a.dataType(), x.n, (long) heads * dk);
    INDArray dvAll = Nd4j.createUninitialized(x.a.dataType(), x.n, (long) heads * dv);
    for (int h = 0; h < heads; h++) {
      Dense.columnView(dkAll, (long) h * dk, dk).assign(dFk[h].mulColumnVector(present).muli(phi.derivative(x.k[h])));
      Dense.columnView(dvAll, (long) h * dv, dv).assign(dV[h]);
    }
    grads.add(prefix + "wk", Dense.mm(x.a, dkAll, true, false));
    grads.add(prefix + "wv", Dense.mm(x.a, dvAll, true, false));
    return Dense.mm(dkAll, wk, false, true).addi(Dense.mm(dvAll, wv, false, true));
  }
}
