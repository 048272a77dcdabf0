package io.seqattn.core.mixer.linear;

import static io.seqattn.core.mixer.linear.LinearAttentionParts.floats;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureKernel;
import io.seqattn.core.mixer.ChunkOutputAssembly;
import io.seqattn.core.mixer.ChunkWorkspace;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.model.Model;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.factory.Nd4j;

/**
 * {@link GlobalLinearAttention} on ND4J. Pass 2 reads a chunk out against its sequence's merged
 * state: O_i,h = φ(q_i,h)ᵀS_h / (φ(q_i,h)ᵀz_h + eps), numerator and normalizer as two GEMMs into
 * contiguous arrays, so the division is contiguous too.
 */
final class GlobalLinearKernel implements MixerKernel<Summary> {
  private final LinearAttentionParts parts;

  GlobalLinearKernel(Model model) {
    this.parts = new LinearAttentionParts(model);
  }

  @Override
  public Summary summarize(int[] tokens, long start) {
    return parts.summarize(tokens, start);
  }

  /**
   * @param state the merged summary of the chunk's whole sequence
   * @throws IllegalArgumentException when {@code state} is null: global attention reads every
   *     chunk against its whole sequence's state
   */
  @Override
  public ChunkOutputs attend(int[] tokens, long start, Summary state, boolean keepOutputs) {
    if (state == null) {
      throw new IllegalArgumentException("state is null: global attention reads every chunk against the merged "
          + "state of its whole sequence");
    }
    int n = tokens.length;
    parts.requireShape(state);
    if (n == 0) {
      return parts.assembly.empty(keepOutputs);
    }
    int heads = parts.heads;
    int m = parts.m;
    int dHead = parts.dHead;
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray q = Nd4j.createUninitialized(DataType.FLOAT, n, parts.inner);
      parts.queries.project(tokens, start, q);
      parts.features.prepareQueries(q);
      INDArray scratch = parts.features.scratch(n);
      INDArray den = Nd4j.createUninitialized(DataType.FLOAT, n, 1);
      INDArray nonPositive = parts.countsNonPositive() ? Nd4j.zeros(DataType.FLOAT, n, 1) : null;
      INDArray[] outputs = new INDArray[heads];
      for (int h = 0; h < heads; h++) {
        FeatureKernel.QueryFeatures qf = parts.features.queries(h, q, scratch);
        INDArray qh = qf.features();
        outputs[h] = Nd4j.createUninitialized(DataType.FLOAT, n, dHead);
        Nd4j.gemm(qh, floats(state.sOfHead(h), m, dHead), outputs[h], false, false, 1.0, 0.0);
        Nd4j.gemm(qh, floats(state.zOfHead(h), m, 1), den, false, false, 1.0, 0.0);
        parts.normalizer(den, qf.rowLogScale(), state.logScale()[h], nonPositive);
        Nd4j.getExecutioner().exec(new BroadcastDivOp(outputs[h], den, outputs[h], 0));
      }
      return parts.assembly.finish(outputs, present, keepOutputs, nonPositive);
    }
  }
}
