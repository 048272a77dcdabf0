package io.seqattn.core.train;

import io.seqattn.core.stack.BlockSpec;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * One pre-norm block, A = Norm1(X), H = X + Mixer(A), Y = H + FFN(Norm2(H)), and its backward in
 * the mixer's halves ({@link MixerLayer}): {@link #backwardQueries} gives ∂X except the path
 * through the chunk's summary, and the chunk's share of its context's adjoint; {@link
 * #backwardKeys} adds the summary's path once its adjoint is known; {@link #backwardGates} the
 * gate weights' path.
 */
final class BlockLayer {
  private final NormLayer norm1;
  private final MixerLayer mixer;
  private final NormLayer norm2;
  private final FeedForwardLayer ffn;

  BlockLayer(int index, BlockSpec spec, int d, Parameters p) {
    String prefix = "layers." + index + ".";
    this.norm1 = new NormLayer(prefix + "norm1", spec.norm(), p);
    this.mixer = spec.mixer().causal() ? new CausalMixerLayer(prefix, spec.mixer(), d, p)
        : new GlobalMixerLayer(prefix, spec.mixer(), d, p);
    this.norm2 = spec.ffn() == null ? null : new NormLayer(prefix + "norm2", spec.norm(), p);
    this.ffn = spec.ffn() == null ? null : new FeedForwardLayer(prefix, spec.ffn(), d, p);
  }

  MixerLayer mixer() {
    return mixer;
  }

  MixerState summarize(INDArray x, long start, INDArray present) {
    return mixer.summarize(norm1.apply(x), start, present);
  }

  INDArray forward(INDArray x, long start, INDArray present, MixerState state) {
    INDArray h = x.add(mixer.forward(norm1.apply(x), start, present, state));
    return ffn == null ? h : h.addi(ffn.apply(norm2.apply(h)));
  }

  /** ∂X but for the path through the chunk's summary, the chunk's share of its context's adjoint, its part of ∂G. */
  MixerLayer.Half backwardQueries(INDArray x, long start, INDArray present, MixerState state, INDArray dy,
      Gradients grads) {
    INDArray a = norm1.apply(x);
    INDArray dh = dy;
    if (ffn != null) {
      INDArray h = x.add(mixer.forward(a, start, present, state));
      dh = dy.add(norm2.backward(h, ffn.backward(norm2.apply(h), dy, grads), grads));
    }
    MixerLayer.Half half = mixer.backwardQueries(a, start, present, state, dh, grads);
    return new MixerLayer.Half(dh.add(norm1.backward(x, half.dA(), grads)), half.share(), half.dG());
  }

  /** What the path through the chunk's summary adds to ∂X, given the summary's adjoint; its part of ∂G. */
  MixerLayer.KeyHalf backwardKeys(INDArray x, long start, INDArray present, MixerState adjoint, Gradients grads) {
    MixerLayer.KeyHalf half = mixer.backwardKeys(norm1.apply(x), start, present, adjoint, grads);
    return new MixerLayer.KeyHalf(norm1.backward(x, half.dA(), grads), half.dG());
  }

  /** What the gate weights add to ∂X, given ∂loss/∂g of the chunk's positions. */
  INDArray backwardGates(INDArray x, double[][] dLogDecay, Gradients grads) {
    return norm1.backward(x, mixer.backwardGates(norm1.apply(x), dLogDecay, grads), grads);
  }
}
