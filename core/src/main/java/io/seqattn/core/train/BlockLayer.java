package io.seqattn.core.train;

import io.seqattn.core.stack.BlockSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pre-norm block, A = Norm1(X), H = X + Mixer(A), Y = H + FFN(Norm2(H)), and its backward in
 * the mixer's two halves: {@link #backwardQueries} gives ∂X except the path through the state,
 * and the chunk's share of the state's adjoint; {@link #backwardKeys} adds the state's path once
 * the adjoint of the whole sequence is known.
 */
final class BlockLayer {
  private final NormLayer norm1;
  private final GlobalMixerLayer mixer;
  private final NormLayer norm2;
  private final FeedForwardLayer ffn;

  BlockLayer(int index, BlockSpec spec, int d, Parameters p) {
    String prefix = "layers." + index + ".";
    this.norm1 = new NormLayer(prefix + "norm1", spec.norm(), p);
    this.mixer = new GlobalMixerLayer(prefix, spec.mixer(), d, p);
    this.norm2 = spec.ffn() == null ? null : new NormLayer(prefix + "norm2", spec.norm(), p);
    this.ffn = spec.ffn() == null ? null : new FeedForwardLayer(prefix, spec.ffn(), d, p);
  }

  GlobalState zeroState() {
    return mixer.zeroState();
  }

  GlobalState summarize(INDArray x, long start, INDArray present) {
    return mixer.summarize(norm1.apply(x), start, present);
  }

  INDArray forward(INDArray x, long start, INDArray present, GlobalState state) {
    INDArray h = x.add(mixer.forward(norm1.apply(x), start, present, state));
    return ffn == null ? h : h.addi(ffn.apply(norm2.apply(h)));
  }

  /** ∂X but for the path through the state, and the chunk's share of the state's adjoint. */
  GlobalMixerLayer.Half backwardQueries(INDArray x, long start, INDArray present, GlobalState state, INDArray dy,
      Gradients grads) {
    INDArray a = norm1.apply(x);
    INDArray dh = dy;
    if (ffn != null) {
      INDArray h = x.add(mixer.forward(a, start, present, state));
      dh = dy.add(norm2.backward(h, ffn.backward(norm2.apply(h), dy, grads), grads));
    }
    GlobalMixerLayer.Half half = mixer.backwardQueries(a, start, present, state, dh, grads);
    return new GlobalMixerLayer.Half(dh.add(norm1.backward(x, half.dA(), grads)), half.adjoint());
  }

  /** What the path through the state adds to ∂X, given the sequence's total adjoint. */
  INDArray backwardKeys(INDArray x, long start, INDArray present, GlobalState adjoint, Gradients grads) {
    INDArray da = mixer.backwardKeys(norm1.apply(x), start, present, adjoint, grads);
    return norm1.backward(x, da, grads);
  }
}
