package io.seqattn.core.train;

import io.seqattn.core.stack.FfnSpec;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A block's feed-forward layer and its backward, over rows A [n, d]. SwiGLU: P = A·W_gate, U =
 * A·W_up, Y = (silu(P) ⊙ U)·W_down, silu'(p) = σ(p)·(1 + p·(1 − σ(p))). GELU: P = A·W1 + b1, Y =
 * gelu(P)·W2 + b2 with gelu's tanh form, gelu'(p) = ½(1 + t) + ½p(1 − t²)·c(1 + 3·0.044715p²), t
 * = tanh(c(p + 0.044715p³)), c = √(2/π).
 */
final class FeedForwardLayer {
  private static final double GELU_C = Math.sqrt(2 / Math.PI);
  private static final double GELU_A = 0.044715;

  private final String prefix;
  private final FfnSpec spec;
  private final INDArray wIn;
  private final INDArray wUp;
  private final INDArray wOut;
  private final INDArray b1;
  private final INDArray b2;

  /** @param prefix e.g. {@code layers.0.} */
  FeedForwardLayer(String prefix, FfnSpec spec, int d, Parameters p) {
    this.prefix = prefix + "ffn.";
    this.spec = spec;
    int f = spec.dFf();
    if (spec.kind() == FfnSpec.Kind.SWIGLU) {
      wIn = p.matrix(this.prefix + "w_gate", d, f);
      wUp = p.matrix(this.prefix + "w_up", d, f);
      wOut = p.matrix(this.prefix + "w_down", f, d);
      b1 = null;
      b2 = null;
    } else {
      wIn = p.matrix(this.prefix + "w1", d, f);
      wUp = null;
      wOut = p.matrix(this.prefix + "w2", f, d);
      b1 = p.row(this.prefix + "b1");
      b2 = p.row(this.prefix + "b2");
    }
  }

  INDArray apply(INDArray a) {
    INDArray y = Dense.mm(hidden(a, null), wOut);
    return b2 == null ? y : y.addiRowVector(b2);
  }

  /** ∂A for ∂Y at input A; adds the weights' gradients. */
  INDArray backward(INDArray a, INDArray dy, Gradients grads) {
    INDArray[] saved = new INDArray[2];
    INDArray hidden = hidden(a, saved);
    INDArray pre = saved[0];
    boolean swiglu = spec.kind() == FfnSpec.Kind.SWIGLU;
    grads.add(prefix + (swiglu ? "w_down" : "w2"), Dense.mm(hidden, dy, true, false));
    if (!swiglu) {
      grads.add(prefix + "b2", Dense.columnSums(dy));
    }
    INDArray dHidden = Dense.mm(dy, wOut, false, true);
    if (swiglu) {
      INDArray up = saved[1];
      INDArray sigma = Transforms.sigmoid(pre, true);
      INDArray silu = pre.mul(sigma);
      INDArray dUp = dHidden.mul(silu);
      // σ + p·σ·(1 − σ)
      INDArray siluPrime = sigma.rsub(1.0).muli(pre).addi(1.0).muli(sigma);
      INDArray dPre = dHidden.mul(up).muli(siluPrime);
      grads.add(prefix + "w_gate", Dense.mm(a, dPre, true, false));
      grads.add(prefix + "w_up", Dense.mm(a, dUp, true, false));
      return Dense.mm(dPre, wIn, false, true).addi(Dense.mm(dUp, wUp, false, true));
    }
    INDArray dPre = dHidden.mul(geluPrime(pre));
    grads.add(prefix + "w1", Dense.mm(a, dPre, true, false));
    grads.add(prefix + "b1", Dense.columnSums(dPre));
    return Dense.mm(dPre, wIn, false, true);
  }

  /** The activated hidden layer [n, f]; {@code saved}, when given, receives P (and U). */
  private INDArray hidden(INDArray a, INDArray[] saved) {
    INDArray pre = Dense.mm(a, wIn);
    if (spec.kind() == FfnSpec.Kind.SWIGLU) {
      INDArray up = Dense.mm(a, wUp);
      if (saved != null) {
        saved[0] = pre;
        saved[1] = up;
      }
      return Transforms.sigmoid(pre, true).muli(pre).muli(up);
    }
    pre.addiRowVector(b1);
    if (saved != null) {
      saved[0] = pre;
    }
    INDArray t = tanhInner(pre);
    return t.addi(1.0).muli(pre).muli(0.5);
  }

  /** tanh(c(p + 0.044715p³)). */
  private static INDArray tanhInner(INDArray p) {
    INDArray inner = p.mul(p).muli(p).muli(GELU_A).addi(p).muli(GELU_C);
    return Transforms.tanh(inner, false);
  }

  private static INDArray geluPrime(INDArray p) {
    INDArray t = tanhInner(p);
    INDArray first = t.add(1.0).muli(0.5);
    INDArray slope = p.mul(p).muli(3 * GELU_A).addi(1.0).muli(GELU_C); // c(1 + 3a·p²)
    INDArray second = t.mul(t).rsubi(1.0).muli(p).muli(0.5).muli(slope);
    return first.addi(second);
  }
}
