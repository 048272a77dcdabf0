package io.seqattn.core.stack;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A block's feed-forward layer on ND4J: SwiGLU (silu(A·W_gate) ⊙ A·W_up)·W_down, with W_gate and W_up
 * side by side in one GEMM; or gelu(A·W1 + b1)·W2 + b2 with the tanh form of gelu.
 */
final class FeedForward {
  private static final double GELU_C = Math.sqrt(2 / Math.PI);

  private final FfnSpec spec;
  /** [W_gate | W_up] [d, 2f] (SwiGLU), or W1 [d, f] (GELU). */
  private final INDArray in;
  private final INDArray out;
  private final INDArray b1;
  private final INDArray b2;

  FeedForward(FfnSpec spec, StackModel model, String prefix, int d) {
    this.spec = spec;
    int f = spec.dFf();
    if (spec.kind() == FfnSpec.Kind.SWIGLU) {
      float[] gate = model.tensor(prefix + "ffn.w_gate");
      float[] up = model.tensor(prefix + "ffn.w_up");
      float[] both = new float[d * 2 * f];
      for (int r = 0; r < d; r++) {
        System.arraycopy(gate, r * f, both, r * 2 * f, f);
        System.arraycopy(up, r * f, both, r * 2 * f + f, f);
      }
      this.in = Nd4j.create(both, new long[] {d, 2L * f}, DataType.FLOAT);
      this.out = Nd4j.create(model.tensor(prefix + "ffn.w_down"), new long[] {f, d}, DataType.FLOAT);
      this.b1 = null;
      this.b2 = null;
    } else {
      this.in = Nd4j.create(model.tensor(prefix + "ffn.w1"), new long[] {d, f}, DataType.FLOAT);
      this.out = Nd4j.create(model.tensor(prefix + "ffn.w2"), new long[] {f, d}, DataType.FLOAT);
      this.b1 = Nd4j.create(model.tensor(prefix + "ffn.b1"), new long[] {1, f}, DataType.FLOAT);
      this.b2 = Nd4j.create(model.tensor(prefix + "ffn.b2"), new long[] {1, d}, DataType.FLOAT);
    }
  }

  /** FFN(A) for the rows of A [n, d], a new [n, d] array. */
  INDArray apply(INDArray a) {
    int f = spec.dFf();
    INDArray hidden = Nd4j.createUninitialized(DataType.FLOAT, a.rows(), in.columns());
    Nd4j.gemm(a, in, hidden, false, false, 1.0, 0.0);
    INDArray activated;
    if (spec.kind() == FfnSpec.Kind.SWIGLU) {
      INDArray gate = hidden.get(NDArrayIndex.all(), NDArrayIndex.interval(0, f));
      INDArray up = hidden.get(NDArrayIndex.all(), NDArrayIndex.interval(f, 2 * f));
      activated = Transforms.sigmoid(gate, true).muli(gate).muli(up); // silu(g) ⊙ u
    } else {
      hidden.addiRowVector(b1);
      activated = gelu(hidden);
    }
    INDArray y = Nd4j.createUninitialized(DataType.FLOAT, a.rows(), out.columns());
    Nd4j.gemm(activated, out, y, false, false, 1.0, 0.0);
    return b2 == null ? y : y.addiRowVector(b2);
  }

  /** ½x(1 + tanh(√(2/π)(x + 0.044715x³))), in place. */
  private static INDArray gelu(INDArray x) {
    INDArray inner = x.mul(x).muli(x).muli(0.044715).addi(x).muli(GELU_C);
    Transforms.tanh(inner, false).addi(1.0);
    return x.muli(inner).muli(0.5);
  }
}
