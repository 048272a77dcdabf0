package io.seqattn.core.mixer.softmax;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.mixer.ChunkOutputAssembly;
import io.seqattn.core.mixer.ChunkProjections;
import io.seqattn.core.mixer.ChunkWorkspace;
import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import java.util.Arrays;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.INDArrayIndex;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * {@link ExactSoftmax} on ND4J, online over key blocks (a running maximum and sum per query, as in
 * FlashAttention), so memory is O((n + keys)·d) plus one score tile: queries in tiles of
 * {@value #QUERY_BLOCK} rows against keys in blocks of {@value #KEY_BLOCK}, every key block
 * projected once for all heads. Absent positions give no key and no output.
 */
public final class ExactSoftmaxKernel implements MixerKernel<SequenceKeys> {

  /** Query rows per tile: with {@link #KEY_BLOCK}, a 16 MB score tile. */
  static final int QUERY_BLOCK = 4096;
  static final int KEY_BLOCK = 1024;

  private final ChunkProjections projections;
  private final ChunkOutputAssembly assembly;
  private final int heads;
  private final int dHead;
  private final int inner;
  private final boolean causal;

  ExactSoftmaxKernel(Model model, boolean causal) {
    ModelConfig config = model.config();
    this.projections = new ChunkProjections(model);
    this.heads = config.heads();
    this.dHead = config.dHead();
    this.inner = config.innerDim();
    this.assembly = new ChunkOutputAssembly(heads, dHead);
    this.causal = causal;
  }

  @Override
  public SequenceKeys summarize(int[] tokens, long start) {
    return new SequenceKeys(start, tokens.clone());
  }

  /**
   * The chunk's queries against every key of {@code keys} — the whole sequence — or, causally,
   * against the keys at positions ≤ each query's.
   */
  @Override
  public ChunkOutputs attend(int[] tokens, long start, SequenceKeys keys, boolean keepOutputs) {
    return attend(tokens, start, keys.tokens(), keys.start(), keepOutputs);
  }

  /** As {@link #attend(int[], long, SequenceKeys, boolean)}, the keys' first token at {@code keysStart}. */
  public ChunkOutputs attend(int[] tokens, long start, int[] keyTokens, long keysStart, boolean keepOutputs) {
    int n = tokens.length;
    if (n == 0) {
      return assembly.empty(keepOutputs);
    }
    float scale = (float) (1.0 / Math.sqrt(dHead));
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray[] outputs = new INDArray[heads];
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      projections.queries.project(tokens, start, qAll);
      qAll.muli(scale);
      int valueWidth = projections.values.width();
      INDArray kb = Nd4j.createUninitialized(DataType.FLOAT, KEY_BLOCK, inner);
      INDArray vb = Nd4j.createUninitialized(DataType.FLOAT, KEY_BLOCK, valueWidth);
      INDArray tile = Nd4j.createUninitialized(DataType.FLOAT, QUERY_BLOCK, KEY_BLOCK);
      INDArray[] runningMax = new INDArray[heads];
      INDArray[] acc = new INDArray[heads]; // per head [Σ e^(s−M)·v | Σ e^(s−M)]
      for (int h = 0; h < heads; h++) {
        runningMax[h] = Nd4j.valueArrayOf(new long[] {n, 1}, Double.NEGATIVE_INFINITY, DataType.FLOAT);
        acc[h] = Nd4j.zeros(DataType.FLOAT, n, dHead + 1);
      }
      for (int k0 = 0; k0 < keyTokens.length; k0 += KEY_BLOCK) {
        long keyPos0 = keysStart + k0;
        if (causal && keyPos0 > start + n - 1) {
          break; // every later key is after every query
        }
        int bk = Math.min(KEY_BLOCK, keyTokens.length - k0);
        int[] blockTokens = Arrays.copyOfRange(keyTokens, k0, k0 + bk);
        INDArray keyPresent = ChunkOutputAssembly.presence(blockTokens);
        INDArray kAll = bk == KEY_BLOCK ? kb : Nd4j.createUninitialized(DataType.FLOAT, bk, inner);
        INDArray vAll = bk == KEY_BLOCK ? vb : Nd4j.createUninitialized(DataType.FLOAT, bk, valueWidth);
        projections.keys.project(blockTokens, keyPos0, kAll);
        projections.values.project(blockTokens, keyPos0, vAll);
        INDArray keyMask = keyPresent == null ? null : Transforms.log(keyPresent.reshape(1, bk), true);
        for (int q0 = 0; q0 < n; q0 += QUERY_BLOCK) {
          int bq = Math.min(QUERY_BLOCK, n - q0);
          long queryPos0 = start + q0;
          if (causal && keyPos0 > queryPos0 + bq - 1) {
            continue;
          }
          INDArray mask = causal && keyPos0 + bk - 1 > queryPos0 ? causalMask(queryPos0, bq, keyPos0, bk) : null;
          INDArray scores = bq == QUERY_BLOCK && bk == KEY_BLOCK
              ? tile : Nd4j.createUninitialized(DataType.FLOAT, bq, bk);
          for (int h = 0; h < heads; h++) {
            INDArray q = qAll.get(rows(q0, bq), NDArrayIndex.interval((long) h * dHead, (long) (h + 1) * dHead));
            Nd4j.gemm(q, head(kAll, h, dHead), scores, false, true, 1.0, 0.0);
            if (keyMask != null) {
              scores.addiRowVector(keyMask);
            }
            if (mask != null) {
              scores.addi(mask);
            }
            onlineSoftmaxStep(scores, head(vAll, h, dHead + 1), runningMax[h].get(rows(q0, bq), NDArrayIndex.all()),
                acc[h].get(rows(q0, bq), NDArrayIndex.all()));
          }
        }
      }
      for (int h = 0; h < heads; h++) {
        outputs[h] = Nd4j.createUninitialized(DataType.FLOAT, n, dHead);
        INDArray weighted = acc[h].get(NDArrayIndex.all(), NDArrayIndex.interval(0, dHead));
        INDArray weight = acc[h].get(NDArrayIndex.all(), NDArrayIndex.interval(dHead, dHead + 1)).dup();
        Nd4j.getExecutioner().exec(new BroadcastDivOp(weighted, weight, outputs[h], 0));
      }
      return assembly.finish(outputs, present, keepOutputs, null);
    }
  }

  /**
   * The root mean square of the softmax logits q_iᵀk_j/√d_head over all pairs (i, j) of the tokens
   * and all heads: how far from 0 the logits are, which decides how well random features can
   * approximate softmax. O(n²): meant for a few hundred tokens.
   */
  public double rmsLogit(int[] tokens, long start) {
    int n = tokens.length;
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      INDArray kAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      projections.queries.project(tokens, start, qAll);
      projections.keys.project(tokens, start, kAll);
      INDArray scores = Nd4j.createUninitialized(DataType.FLOAT, n, n);
      double sumSq = 0;
      for (int h = 0; h < heads; h++) {
        INDArray q = head(qAll, h, dHead);
        INDArray k = head(kAll, h, dHead);
        Nd4j.gemm(q, k, scores, false, true, 1.0 / Math.sqrt(dHead), 0.0);
        double norm = scores.castTo(DataType.DOUBLE).norm2Number().doubleValue();
        sumSq += norm * norm;
      }
      return Math.sqrt(sumSq / ((double) heads * n * n));
    }
  }

  /**
   * One key block of the online softmax for a tile of queries: with M the running maximum and
   * [a | l] the running [Σ e^(s−M)·v | Σ e^(s−M)], M' = max(M, max_j s_j), then
   * [a | l] ← [a | l]·e^(M−M') + e^(s−M')·[V | 1]. Rows that have seen no key yet (M' = −∞) stay 0.
   */
  private static void onlineSoftmaxStep(INDArray scores, INDArray valuesWithOnes, INDArray runningMax,
      INDArray acc) {
    INDArray newMax = Transforms.max(runningMax, scores.max(true, 1), true);
    INDArray shift = newMax.dup();
    BooleanIndexing.replaceWhere(shift, 0.0, Conditions.isInfinite()); // only −∞ is possible
    INDArray correction = Transforms.exp(runningMax.sub(shift), false);
    Transforms.exp(scores.subiColumnVector(shift), false);
    acc.muliColumnVector(correction);
    Nd4j.gemm(scores, valuesWithOnes, acc, false, false, 1.0, 1.0);
    runningMax.assign(newMax);
  }

  /** 0 where key position ≤ query position, −∞ after it: [bq, bk] for the tile at the given positions. */
  private static INDArray causalMask(long queryPos0, int bq, long keyPos0, int bk) {
    float[] mask = new float[bq * bk];
    for (int i = 0; i < bq; i++) {
      long firstHidden = queryPos0 + i + 1 - keyPos0; // keys at offsets ≥ this are after query i
      for (long j = Math.max(0, firstHidden); j < bk; j++) {
        mask[i * bk + (int) j] = Float.NEGATIVE_INFINITY;
      }
    }
    return Nd4j.create(mask, new long[] {bq, bk}, DataType.FLOAT);
  }

  private static INDArray head(INDArray perHead, int h, int width) {
    return perHead.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * width, (long) (h + 1) * width));
  }

  private static INDArrayIndex rows(long from, long count) {
    return NDArrayIndex.interval(from, from + count);
  }
}
