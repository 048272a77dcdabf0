package io.seqattn.core.train;

import io.seqattn.core.stack.AttentionSpec;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A global (non-causal) linear-attention mixer and its backward. The state is S = Σ_j (R F_k)_jᵀ
 * V_j, z = Σ_j (F_k)_j over the sequence; num = (R F_q)·S, den = F_q·z + eps, O = num/den (or num
 * without the normalizer), then the output stage ({@link LinearMixerCore}).
 *
 * <p>The backward comes in the two halves the state splits it into. {@link #backwardQueries},
 * with the state held fixed: ∂(R F_q) = ∂num·Sᵀ, ∂F_q = Rᵀ∂(R F_q) + ∂den·zᵀ, and the chunk's
 * share of the state's adjoint ∂S = (R F_q)ᵀ·∂num, ∂z = F_qᵀ·∂den. {@link #backwardKeys}, with the
 * sequence's total adjoint: ∂(R F_k) = V·∂Sᵀ, ∂V = (R F_k)·∂S, ∂F_k = Rᵀ∂(R F_k) + 1·∂zᵀ on
 * present rows.
 */
final class GlobalMixerLayer implements MixerLayer {
  private final LinearMixerCore core;

  /** @param prefix e.g. {@code layers.0.} */
  GlobalMixerLayer(String prefix, AttentionSpec spec, int d, Parameters p) {
    if (spec.causal()) {
      throw new IllegalArgumentException(prefix + "mixer is causal: use CausalMixerLayer");
    }
    this.core = new LinearMixerCore(prefix + "mixer.", spec, d, p);
  }

  @Override
  public MixerState zeroState() {
    return core.zeroState();
  }

  /** The chunk's share of the state: S_h = (R F_k)ᵀ·V, z_h = F_kᵀ·1. */
  @Override
  public MixerState summarize(INDArray a, long start, INDArray present) {
    MixerState out = zeroState();
    if (a.rows() == 0) {
      return out;
    }
    LinearMixerCore.Projected x = core.project(a, start, present, false, true);
    for (int h = 0; h < core.heads; h++) {
      out.set(h, Dense.mm(x.fkr[h], x.values(h), true, false), Dense.columnSums(x.fk[h]).reshape(core.dk, 1));
    }
    return out;
  }

  /** Every chunk reads the total, summed in chunk order. */
  @Override
  public List<MixerState> contexts(List<MixerState> summaries) {
    return Collections.nCopies(summaries.size(), total(summaries));
  }

  private MixerState total(List<MixerState> parts) {
    MixerState sum = zeroState();
    for (MixerState part : parts) {
      sum = sum.plus(part);
    }
    return sum;
  }

  @Override
  public INDArray forward(INDArray a, long start, INDArray present, MixerState state) {
    LinearMixerCore.Projected x = core.project(a, start, present, true, false);
    return core.finish(x, read(x, state, new INDArray[core.heads]));
  }

  /** Each head's O against the state; fills den. */
  private INDArray[] read(LinearMixerCore.Projected x, MixerState state, INDArray[] den) {
    DataType type = x.a.dataType();
    INDArray[] o = new INDArray[core.heads];
    for (int h = 0; h < core.heads; h++) {
      INDArray num = Dense.mm(x.fqr[h], state.s(h, type));
      INDArray dot = core.spec.normalizedByZ() ? Dense.mm(x.fq[h], state.z(h, type)) : null;
      o[h] = core.normalize(num, dot, den, h);
    }
    return o;
  }

  @Override
  public Half backwardQueries(INDArray a, long start, INDArray present, MixerState state, INDArray dMixed,
      Gradients grads) {
    DataType type = a.dataType();
    LinearMixerCore.Projected x = core.project(a, start, present, true, false);
    INDArray[] den = new INDArray[core.heads];
    INDArray[] o = read(x, state, den);
    LinearMixerCore.OutputAdjoint back = core.backwardOutput(x, o, den, dMixed, grads);
    MixerState adjoint = zeroState();
    INDArray[] dFq = new INDArray[core.heads];
    for (int h = 0; h < core.heads; h++) {
      INDArray dNum = back.dNum()[h];
      INDArray dDen = back.dDen()[h];
      dFq[h] = x.rotate(Dense.mm(dNum, state.s(h, type), false, true), -1);
      INDArray adjZ;
      if (dDen != null) {
        dFq[h].addi(Dense.mm(dDen, state.z(h, type), false, true));
        adjZ = Dense.mm(x.fq[h], dDen, true, false);
      } else {
        adjZ = Nd4j.zeros(type, core.dk, 1);
      }
      adjoint.set(h, Dense.mm(x.fqr[h], dNum, true, false), adjZ);
    }
    INDArray dA = core.backwardQueries(x, dFq, grads);
    if (back.dA() != null) {
      dA.addi(back.dA());
    }
    return new Half(dA, adjoint, null);
  }

  /** Every chunk's keys see the sequence's total adjoint. */
  @Override
  public List<MixerState> keyAdjoints(List<MixerState> summaries, List<MixerState> shares) {
    return new ArrayList<>(Collections.nCopies(shares.size(), total(shares)));
  }

  @Override
  public KeyHalf backwardKeys(INDArray a, long start, INDArray present, MixerState adjoint, Gradients grads) {
    DataType type = a.dataType();
    LinearMixerCore.Projected x = core.project(a, start, present, false, true);
    INDArray[] dFk = new INDArray[core.heads];
    INDArray[] dV = new INDArray[core.heads];
    for (int h = 0; h < core.heads; h++) {
      INDArray adjS = adjoint.s(h, type);
      dFk[h] = x.rotate(Dense.mm(x.values(h), adjS, false, true), -1);
      if (core.spec.normalizedByZ()) {
        dFk[h].addiRowVector(adjoint.z(h, type).reshape(1, core.dk));
      }
      dV[h] = Dense.mm(x.fkr[h], adjS);
    }
    return new KeyHalf(core.backwardKeys(x, present, dFk, dV, grads), null);
  }
}
