package io.seqattn.core.mixer.linear;

import static io.seqattn.core.mixer.linear.LinearAttentionParts.head;
import static io.seqattn.core.mixer.linear.LinearAttentionParts.powers;
import static io.seqattn.core.mixer.linear.LinearAttentionParts.rows;

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
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * {@link CausalLinearAttention} on ND4J. Pass 2 is chunkwise-parallel (as in GLA and RetNet): the
 * chunk is cut into blocks of B = {@code blockSize} tokens; within a block the outputs are
 * (φ(Q)φ(K)ᵀ ⊙ D)·[V | 1] with the decay mask D_ij = γ^(i−j) for j ≤ i (0 above the diagonal), plus
 * diag(γ^(i+1))·φ(Q)·[S | z] for the state carried in from everything before the block. Every
 * block's intra-block part, its contribution (diag(γ^(B−1−j))·φ(K))ᵀ[V | 1] to the state and its
 * carried-in part are batched matrix products over all blocks at once; only the m × (d_head + 1)
 * state is stepped from block to block. No per-token loop, and a constant number of ND4J calls per
 * chunk.
 */
final class CausalLinearKernel implements MixerKernel<Summary> {
  private final LinearAttentionParts parts;
  private final int blockSize;
  /** Per head: the [B, B] decay mask, γ^(i+1) and γ^(B−1−j) as [B, 1] columns. */
  private final INDArray[] masks;
  private final INDArray[] carryIn;
  private final INDArray[] carryOut;

  CausalLinearKernel(Model model, int blockSize) {
    this.parts = new LinearAttentionParts(model);
    this.blockSize = blockSize;
    int heads = parts.heads;
    this.masks = new INDArray[heads];
    this.carryIn = new INDArray[heads];
    this.carryOut = new INDArray[heads];
    try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
      for (int h = 0; h < heads; h++) {
        double logGamma = parts.logGamma[h];
        float[] mask = new float[blockSize * blockSize];
        for (int i = 0; i < blockSize; i++) {
          for (int j = 0; j <= i; j++) {
            mask[i * blockSize + j] = (float) Math.exp((i - j) * logGamma);
          }
        }
        masks[h] = Nd4j.create(mask, new long[] {blockSize, blockSize}, DataType.FLOAT);
        carryIn[h] = powers(logGamma, blockSize, 1, 1);
        carryOut[h] = powers(logGamma, blockSize, blockSize - 1, -1);
      }
    }
  }

  @Override
  public Summary summarize(int[] tokens, long start) {
    return parts.summarize(tokens, start);
  }

  /**
   * Position i of the chunk attends to every position j ≤ i of its sequence, with each earlier key
   * decayed by γ^(i−j).
   *
   * @param prefix the merged summary of all earlier chunks of the sequence (the state before this
   *     chunk), or null for a sequence's first chunk
   */
  @Override
  public ChunkOutputs attend(int[] tokens, long start, Summary prefix, boolean keepOutputs) {
    int n = tokens.length;
    if (prefix != null) {
      parts.requireShape(prefix);
    }
    if (n == 0) {
      return parts.assembly.empty(keepOutputs);
    }
    int heads = parts.heads;
    int m = parts.m;
    int dHead = parts.dHead;
    int b = blockSize;
    int blocks = (n + b - 1) / b;
    int padded = blocks * b;
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray[] outputs = new INDArray[heads];
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, parts.inner);
      parts.queries.project(tokens, start, qAll);
      INDArray kAll = Nd4j.createUninitialized(DataType.FLOAT, n, parts.inner);
      parts.keys.project(tokens, start, kAll);
      INDArray vAll = Nd4j.createUninitialized(DataType.FLOAT, n, parts.values.width());
      parts.values.project(tokens, start, vAll);
      parts.features.prepareQueries(qAll);
      parts.features.prepareKeys(kAll, present);
      // Per head, operands padded to whole blocks. Padding rows have k = 0, so they add nothing to
      // any state, and the mask keeps them out of real rows; their outputs are dropped.
      INDArray q = Nd4j.zeros(DataType.FLOAT, padded, m);
      INDArray k = Nd4j.zeros(DataType.FLOAT, padded, m);
      INDArray v = Nd4j.zeros(DataType.FLOAT, padded, dHead + 1);
      INDArray nonPositive = parts.countsNonPositive() ? Nd4j.zeros(DataType.FLOAT, n, 1) : null;
      INDArray q3 = q.reshape(blocks, b, m);
      INDArray k3 = k.reshape(blocks, b, m);
      INDArray v3 = v.reshape(blocks, b, dHead + 1);
      for (int h = 0; h < heads; h++) {
        boolean decays = parts.logGamma[h] < 0;
        INDArray scratch = parts.features.scratch(n);
        FeatureKernel.QueryFeatures qf = parts.features.queries(h, qAll, scratch);
        q.get(rows(0, n), NDArrayIndex.all()).assign(qf.features());
        FeatureKernel.KeyFeatures kf = parts.features.keys(h, kAll, present, scratch);
        INDArray feat = kf.features();
        // Keys of this chunk and the state before it meet at the larger of their scales: the
        // log-scale of everything in this chunk's arithmetic.
        double keyScale = kf.logScale();
        double prefixScale = prefix == null ? Double.NEGATIVE_INFINITY : prefix.logScale()[h];
        double scale = Math.max(keyScale, prefixScale);
        if (scale == Double.NEGATIVE_INFINITY) {
          scale = 0; // no key anywhere yet: everything is 0
        }
        if (keyScale != Double.NEGATIVE_INFINITY && keyScale != scale) {
          feat.muli(Math.exp(keyScale - scale));
        }
        double prefixFactor = prefixScale == Double.NEGATIVE_INFINITY ? 0 : Math.exp(prefixScale - scale);
        k.get(rows(0, n), NDArrayIndex.all()).assign(feat);
        v.get(rows(0, n), NDArrayIndex.all()).assign(head(vAll, h, dHead + 1));

        // Within blocks, all blocks at once: (φ(Q)φ(K)ᵀ ⊙ D)·[V | 1].
        INDArray scores = Nd4j.matmul(q3, k3, false, true, false);
        Nd4j.getExecutioner().exec(new BroadcastMulOp(scores, masks[h], scores, 1, 2));
        INDArray numDen = Nd4j.matmul(scores, v3);

        // What each block adds to the state by its end: (diag(γ^(B−1−j))·φ(K_b))ᵀ[V_b | 1].
        INDArray kw = k3;
        if (decays) {
          kw = k3.dup();
          Nd4j.getExecutioner().exec(new BroadcastMulOp(kw, carryOut[h].reshape(b), kw, 1));
        }
        INDArray added = Nd4j.matmul(kw, v3, true, false, false);

        // The state entering each block: a short recurrence over blocks, not tokens.
        INDArray entering = Nd4j.create(
            enteringStates(prefix, prefixFactor, h, added.data().asFloat(), blocks, parts.logGamma[h] * b),
            new long[] {blocks, m, dHead + 1}, DataType.FLOAT);
        INDArray carried = Nd4j.matmul(q3, entering);
        if (decays) {
          Nd4j.getExecutioner().exec(new BroadcastMulOp(carried, carryIn[h].reshape(b), carried, 1));
        }
        numDen.addi(carried);

        INDArray flat = numDen.reshape(padded, dHead + 1).get(rows(0, n), NDArrayIndex.all());
        INDArray den = parts.normalizer(lastColumn(flat), qf.rowLogScale(), scale, nonPositive);
        outputs[h] = Nd4j.createUninitialized(DataType.FLOAT, n, dHead);
        Nd4j.getExecutioner().exec(new BroadcastDivOp(allButLastColumn(flat), den, outputs[h], 0));
      }
      return parts.assembly.finish(outputs, present, keepOutputs, nonPositive);
    }
  }

  /** The last column of a [n, d_head + 1] array of [numerator | normalizer], as a contiguous [n, 1] copy. */
  private INDArray lastColumn(INDArray numDen) {
    return numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(parts.dHead, parts.dHead + 1)).dup();
  }

  /** The numerator columns of a [n, d_head + 1] array of [numerator | normalizer], a view. */
  private INDArray allButLastColumn(INDArray numDen) {
    return numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(0, parts.dHead));
  }

  /**
   * [S | z] entering each block of head h, row-major [blocks][m][d_head + 1]: block 0 gets the
   * chunk's prefix (times {@code prefixFactor}, which brings it to the chunk's log-scale); block i
   * gets γ^B·(state entering i−1) + (what block i−1 added).
   */
  private float[] enteringStates(Summary prefix, double prefixFactor, int h, float[] added, int blocks,
      double logBlockDecay) {
    int m = parts.m;
    int dHead = parts.dHead;
    int width = dHead + 1;
    int size = m * width;
    float[] states = new float[blocks * size];
    if (prefix != null) {
      prefix.augmentedStateOfHead(h, prefixFactor, states);
    }
    float decay = (float) Math.exp(logBlockDecay);
    for (int i = 1; i < blocks; i++) {
      int to = i * size;
      int from = to - size;
      for (int e = 0; e < size; e++) {
        states[to + e] = decay * states[from + e] + added[from + e];
      }
    }
    return states;
  }
}
