package io.seqattn.core.train;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A linear-attention mixer as the trainer runs it over a sequence's chunks, every method a
 * function of one chunk (its normed rows A, first position, presence column) and of states that
 * are a few thousand numbers:
 *
 * <ol>
 *   <li>forward: {@link #summarize} each chunk; {@link #contexts} folds the summaries in chunk
 *       order into what each chunk reads (the total for a global mixer, the exclusive prefix for
 *       a causal one); {@link #forward} reads a chunk against its context;
 *   <li>backward: {@link #backwardQueries} gives ∂A but for the path through the chunk's own
 *       summary, and the chunk's share of its context's adjoint; {@link #keyAdjoints} turns the
 *       shares into each chunk's summary adjoint (the adjoint of the forward fold: a sum for a
 *       global mixer, a reverse suffix scan for a causal one); {@link #backwardKeys} adds that
 *       path; for data-dependent gates, {@link #backwardGates} last (see there).
 * </ol>
 */
interface MixerLayer {
  MixerState zeroState();

  MixerState summarize(INDArray a, long start, INDArray present);

  List<MixerState> contexts(List<MixerState> summaries);

  INDArray forward(INDArray a, long start, INDArray present, MixerState context);

  /** ∂A of the query half, its share of the context's adjoint, and its part of ∂G (or null). */
  record Half(INDArray dA, MixerState share, double[][] dG) {}

  Half backwardQueries(INDArray a, long start, INDArray present, MixerState context, INDArray dMixed,
      Gradients grads);

  List<MixerState> keyAdjoints(List<MixerState> summaries, List<MixerState> shares);

  /** ∂A of the key half, and its part of ∂G (or null). */
  record KeyHalf(INDArray dA, double[][] dG) {}

  KeyHalf backwardKeys(INDArray a, long start, INDArray present, MixerState adjoint, Gradients grads);

  /** Whether the mixer's log-decays are computed from A by trained weights. */
  default boolean trainsGates() {
    return false;
  }

  /**
   * ∂A through the gate weights, given ∂loss/∂g for the chunk's positions per head ([H][n]).
   *
   * <p>Why this comes last: every decay factor between a query at t and a key at j is
   * e^(G_t − G_j), G the running sum of g, so ∂loss/∂G_t = Σ_m(q ⊙ ∂q − k ⊙ ∂k)_t over the
   * numerator's and the normalizer's features, and ∂loss/∂g_s = Σ_(t ≥ s) ∂G_t: a suffix sum over
   * the whole sequence of what the two halves already computed.
   */
  default INDArray backwardGates(INDArray a, double[][] dLogDecay, Gradients grads) {
    throw new UnsupportedOperationException("this mixer has no trained gate");
  }
}
