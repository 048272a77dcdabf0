package io.seqattn.core.attention;

import io.seqattn.core.model.FeatureMap;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;
import io.seqattn.core.tokenize.Tokenizer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastDivOp;
import org.nd4j.linalg.api.ops.impl.broadcast.BroadcastMulOp;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.BooleanIndexing;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.indexing.conditions.Conditions;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The two passes of linear attention over one chunk of a sequence, on ND4J: global
 * ({@link #attend}) and causal, optionally decayed ({@link #attendCausal}).
 *
 * <p>Every projection of the chunk's tokens — x_p = E[t_p] + PE(p) at their global positions, times
 * W_q, W_k or the values with a column of ones per head — is a {@link TokenProjection}: a gather of
 * E·W rows plus one GEMM for the positions, all heads at once. φ runs over whole contiguous arrays
 * (ND4J's strided elementwise path costs ten times as much); heads are column blocks of them, read
 * by GEMMs and copies. {@link #summarize} (pass 1) returns the chunk's {@link Summary}: [S_h | z_h]
 * = φ(K_h)ᵀ[V_h | 1], one GEMM with a transpose flag per head. {@link #attend} (pass 2) reads the
 * chunk out against a sequence's merged state: O_i,h = φ(q_i,h)ᵀS_h / (φ(q_i,h)ᵀz_h + eps),
 * numerator and normalizer as two GEMMs into contiguous arrays, so the division is contiguous too.
 * Compute is float32 (BLAS sgemm), including each chunk's pooled sum wᵀO; everything that crosses
 * chunks — S, z, pooled sums — is returned and accumulated in double.
 *
 * <p>Causal pass 2 is chunkwise-parallel (as in GLA and RetNet): the chunk is cut into blocks of
 * B = {@code blockSize} tokens; within a block the outputs are (φ(Q)φ(K)ᵀ ⊙ D)·[V | 1] with the
 * decay mask D_ij = γ^(i−j) for j ≤ i (0 above the diagonal), plus diag(γ^(i+1))·φ(Q)·[S | z] for
 * the state carried in from everything before the block. Every block's intra-block part, its
 * contribution (diag(γ^(B−1−j))·φ(K))ᵀ[V | 1] to the state and its carried-in part are batched
 * matrix products over all blocks at once; only the m × (d_head + 1) state is stepped from block to
 * block. No per-token loop, and a constant number of ND4J calls per chunk.
 *
 * <p>A token id of {@link Tokenizer#ABSENT} (a position read with N runs skipped) keeps its position
 * but has no key — φ(k) is zeroed, so it adds nothing to S or z — and no output: it is NaN in the
 * kept outputs and left out of the pooled sum.
 *
 * <p>Not thread-safe: one kernel per task thread. Intermediate arrays live in a per-thread ND4J
 * workspace, so after the first chunk a task allocates no new off-heap memory.
 */
public final class ChunkKernel {

  private static final WorkspaceConfiguration WORKSPACE = WorkspaceConfiguration.builder()
      .initialSize(0)
      .policyAllocation(AllocationPolicy.OVERALLOCATE)
      .overallocationLimit(0.2)
      .policyLearning(LearningPolicy.FIRST_LOOP)
      .policySpill(SpillPolicy.REALLOCATE)
      .build();
  private static final String WORKSPACE_ID = "seqattn-chunk-kernel";

  private final FeatureMap featureMap;
  private final int heads;
  private final int dHead;
  private final int m;
  private final int inner;
  private final double eps;
  /** favor+ / trig on ND4J, or null for the deterministic maps. */
  private final RandomFeatures randomFeatures;
  /** x·W_q and x·W_k, [n, inner], and the values with ones, [n, heads·(d_head + 1)]: [V_h | 1] per head. */
  private final TokenProjection queries;
  private final TokenProjection keys;
  private final TokenProjection values;
  private final boolean causal;
  private final double[] logGamma;
  private final int blockSize;
  /** Per head: the [B, B] decay mask, γ^(i+1) and γ^(B−1−j) as [B, 1] columns. */
  private final INDArray[] masks;
  private final INDArray[] carryIn;
  private final INDArray[] carryOut;

  /** The default causal block: large enough for efficient GEMMs, small enough that B² ≪ B·d. */
  public static final int DEFAULT_BLOCK_SIZE = 128;

  public ChunkKernel(Model model) {
    this(model, DEFAULT_BLOCK_SIZE);
  }

  public ChunkKernel(Model model, int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
    }
    ModelConfig config = model.config();
    this.featureMap = config.featureMap();
    this.heads = config.heads();
    this.dHead = config.dHead();
    this.m = config.featureDim();
    this.inner = config.innerDim();
    this.eps = config.eps();
    this.causal = config.causal();
    int d = config.dModel();
    int vocab = config.tokenizer().vocabularySize();
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      INDArray embedding = Nd4j.create(model.embedding(), new long[] {vocab, d}, DataType.FLOAT);
      SinusoidalPositions positions =
          config.positional() == Positional.SINUSOIDAL ? new SinusoidalPositions(d) : null;
      this.queries = new TokenProjection(embedding, model.wq(), inner, positions);
      this.keys = new TokenProjection(embedding, model.wk(), inner, positions);
      int[] onesColumns = new int[heads];
      for (int h = 0; h < heads; h++) {
        onesColumns[h] = h * (dHead + 1) + dHead;
      }
      this.values = new TokenProjection(embedding, valuesWithOnes(model.wv(), d), heads * (dHead + 1), positions,
          onesColumns);
      this.randomFeatures = featureMap.usesOmega() ? new RandomFeatures(model) : null;
      this.blockSize = blockSize;
      double[] gamma = config.decayPerHead();
      this.logGamma = new double[heads];
      this.masks = new INDArray[heads];
      this.carryIn = new INDArray[heads];
      this.carryOut = new INDArray[heads];
      for (int h = 0; h < heads; h++) {
        logGamma[h] = Math.log(gamma[h]);
        float[] mask = new float[blockSize * blockSize];
        for (int i = 0; i < blockSize; i++) {
          for (int j = 0; j <= i; j++) {
            mask[i * blockSize + j] = (float) Math.exp((i - j) * logGamma[h]);
          }
        }
        masks[h] = Nd4j.create(mask, new long[] {blockSize, blockSize}, DataType.FLOAT);
        carryIn[h] = powers(logGamma[h], blockSize, 1, 1);
        carryOut[h] = powers(logGamma[h], blockSize, blockSize - 1, -1);
      }
    }
  }

  /** [W_v,h | 0] per head: W_v [d_model, inner] with a zero column after each head's columns. */
  private float[] valuesWithOnes(float[] wv, int dModel) {
    int width = heads * (dHead + 1);
    float[] w = new float[dModel * width];
    for (int r = 0; r < dModel; r++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(wv, r * inner + h * dHead, w, r * width + h * (dHead + 1), dHead);
      }
    }
    return w;
  }

  /** Head h's columns [h·width, (h+1)·width) of a per-head array, a view. */
  private static INDArray head(INDArray perHead, int h, int width) {
    return perHead.get(NDArrayIndex.all(), NDArrayIndex.interval((long) h * width, (long) (h + 1) * width));
  }

  /** A [count, 1] column of γ^(first + step·i). */
  private static INDArray powers(double logGamma, int count, int first, int step) {
    float[] p = new float[count];
    for (int i = 0; i < count; i++) {
      p[i] = (float) Math.exp((first + (long) step * i) * logGamma);
    }
    return Nd4j.create(p, new long[] {count, 1}, DataType.FLOAT);
  }

  /** Pass 1: the summary of the tokens {@code tokens}, the first at global position {@code start}. */
  public Summary summarize(int[] tokens, long start) {
    if (tokens.length == 0) {
      return Summary.empty(heads, m, dHead);
    }
    double[] s = new double[heads * m * dHead];
    double[] z = new double[heads * m];
    double[] logScale = new double[heads];
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      int n = tokens.length;
      INDArray present = presence(tokens);
      INDArray k = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      keys.project(tokens, start, k);
      INDArray v = Nd4j.createUninitialized(DataType.FLOAT, n, values.width());
      values.project(tokens, start, v);
      INDArray features = null;
      if (randomFeatures == null) {
        featureMap.applyInPlace(k);
        if (present != null) {
          k.muliColumnVector(present); // absent positions have no key
        }
      } else {
        features = Nd4j.createUninitialized(DataType.FLOAT, n, m);
      }
      INDArray stateHead = Nd4j.createUninitialized(DataType.FLOAT, m, dHead + 1);
      for (int h = 0; h < heads; h++) {
        INDArray kh = head(k, h, dHead);
        if (features != null) {
          // φ̃(K_h) [n, m] at the chunk's log-scale c: (S, z) = e^c·(S̃, z̃)
          logScale[h] = randomFeatures.keyRows(h, kh, features, present);
          kh = features;
        }
        if (logGamma[h] < 0) {
          // weights γ^(n−1−j): the decay each key has undergone by the end of the chunk
          kh = kh.mulColumnVector(powers(logGamma[h], n, n - 1, -1));
        }
        Nd4j.gemm(kh, head(v, h, dHead + 1), stateHead, true, false, 1.0, 0.0);
        copyState(stateHead, h, s, z);
      }
    }
    double[] logDecay = new double[heads];
    for (int h = 0; h < heads; h++) {
      logDecay[h] = tokens.length * logGamma[h];
    }
    return new Summary(heads, m, dHead, tokens.length, logDecay, s, z, logScale);
  }

  /** Head h's [S_h | z_h] ([m, d_head + 1], float) into the summary's S and z (double). */
  private void copyState(INDArray stateHead, int h, double[] s, double[] z) {
    float[] state = stateHead.data().asFloat();
    int width = dHead + 1;
    for (int a = 0; a < m; a++) {
      for (int c = 0; c < dHead; c++) {
        s[(h * m + a) * dHead + c] = state[a * width + c];
      }
      z[h * m + a] = state[a * width + dHead];
    }
  }

  /**
   * Pass 2: the attention outputs of the chunk against {@code state}, the merged summary of its
   * whole sequence.
   *
   * @param keepOutputs whether to return the per-position outputs (else only their pooled sum)
   */
  public ChunkOutputs attend(int[] tokens, long start, Summary state, boolean keepOutputs) {
    int n = tokens.length;
    requireShape(state);
    if (n == 0) {
      return new ChunkOutputs(PooledSum.empty(inner), keepOutputs ? new float[0] : null);
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      INDArray present = presence(tokens);
      INDArray q = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      queries.project(tokens, start, q);
      INDArray qFeatures = null;
      if (randomFeatures == null) {
        featureMap.applyInPlace(q);
      } else {
        qFeatures = Nd4j.createUninitialized(DataType.FLOAT, n, m);
      }
      INDArray den = Nd4j.createUninitialized(DataType.FLOAT, n, 1);
      INDArray nonPositive = countsNonPositive() ? Nd4j.zeros(DataType.FLOAT, n, 1) : null;
      INDArray[] outputs = new INDArray[heads];
      for (int h = 0; h < heads; h++) {
        INDArray qh = head(q, h, dHead);
        INDArray queryLogScale = null;
        if (qFeatures != null) {
          queryLogScale = randomFeatures.queryRows(h, qh, qFeatures);
          qh = qFeatures;
        }
        outputs[h] = Nd4j.createUninitialized(DataType.FLOAT, n, dHead);
        Nd4j.gemm(qh, floats(state.sOfHead(h), m, dHead), outputs[h], false, false, 1.0, 0.0);
        Nd4j.gemm(qh, floats(state.zOfHead(h), m, 1), den, false, false, 1.0, 0.0);
        normalizer(den, queryLogScale, state.logScale()[h], nonPositive);
        Nd4j.getExecutioner().exec(new BroadcastDivOp(outputs[h], den, outputs[h], 0));
      }
      return finish(outputs, present, keepOutputs, nonPositive);
    }
  }

  /** A [rows, columns] float array of double values, in the current workspace. */
  private static INDArray floats(double[] values, int rows, int columns) {
    float[] f = new float[values.length];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) values[i];
    }
    return Nd4j.create(f, new long[] {rows, columns}, DataType.FLOAT);
  }

  /**
   * Causal pass 2: position i of the chunk attends to every position j ≤ i of its sequence, with
   * each earlier key decayed by γ^(i−j). {@code prefix} is the merged summary of all earlier chunks
   * of the sequence (the state before this chunk), or null for a sequence's first chunk.
   */
  public ChunkOutputs attendCausal(int[] tokens, long start, Summary prefix, boolean keepOutputs) {
    int n = tokens.length;
    if (prefix != null) {
      requireShape(prefix);
    }
    if (n == 0) {
      return new ChunkOutputs(PooledSum.empty(inner), keepOutputs ? new float[0] : null);
    }
    int b = blockSize;
    int blocks = (n + b - 1) / b;
    int padded = blocks * b;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      INDArray present = presence(tokens);
      INDArray[] outputs = new INDArray[heads];
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      queries.project(tokens, start, qAll);
      INDArray kAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      keys.project(tokens, start, kAll);
      INDArray vAll = Nd4j.createUninitialized(DataType.FLOAT, n, values.width());
      values.project(tokens, start, vAll);
      if (randomFeatures == null) {
        featureMap.applyInPlace(qAll);
        featureMap.applyInPlace(kAll);
        if (present != null) {
          kAll.muliColumnVector(present); // absent positions have no key
        }
      }
      // Per head, operands padded to whole blocks. Padding rows have k = 0, so they add nothing to
      // any state, and the mask keeps them out of real rows; their outputs are dropped.
      INDArray q = Nd4j.zeros(DataType.FLOAT, padded, m);
      INDArray k = Nd4j.zeros(DataType.FLOAT, padded, m);
      INDArray v = Nd4j.zeros(DataType.FLOAT, padded, dHead + 1);
      INDArray nonPositive = countsNonPositive() ? Nd4j.zeros(DataType.FLOAT, n, 1) : null;
      INDArray q3 = q.reshape(blocks, b, m);
      INDArray k3 = k.reshape(blocks, b, m);
      INDArray v3 = v.reshape(blocks, b, dHead + 1);
      for (int h = 0; h < heads; h++) {
        boolean decays = logGamma[h] < 0;
        INDArray queryLogScale = null;
        double scale = 0; // log-scale of everything in this chunk's arithmetic: keys and carried-in state
        double prefixFactor = 1;
        if (randomFeatures == null) {
          q.get(rows(0, n), NDArrayIndex.all()).assign(head(qAll, h, dHead));
          k.get(rows(0, n), NDArrayIndex.all()).assign(head(kAll, h, dHead));
        } else {
          INDArray feat = Nd4j.createUninitialized(DataType.FLOAT, n, m);
          queryLogScale = randomFeatures.queryRows(h, head(qAll, h, dHead), feat);
          q.get(rows(0, n), NDArrayIndex.all()).assign(feat);
          double keyScale = randomFeatures.keyRows(h, head(kAll, h, dHead), feat, present);
          // Keys of this chunk and the state before it meet at the larger of their scales.
          double prefixScale = prefix == null ? Double.NEGATIVE_INFINITY : prefix.logScale()[h];
          scale = Math.max(keyScale, prefixScale);
          if (scale == Double.NEGATIVE_INFINITY) {
            scale = 0; // no key anywhere yet: everything is 0
          }
          if (keyScale != Double.NEGATIVE_INFINITY && keyScale != scale) {
            feat.muli(Math.exp(keyScale - scale));
          }
          prefixFactor = prefixScale == Double.NEGATIVE_INFINITY ? 0 : Math.exp(prefixScale - scale);
          k.get(rows(0, n), NDArrayIndex.all()).assign(feat);
        }
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
            enteringStates(prefix, prefixFactor, h, added.data().asFloat(), blocks, logGamma[h] * b),
            new long[] {blocks, m, dHead + 1}, DataType.FLOAT);
        INDArray carried = Nd4j.matmul(q3, entering);
        if (decays) {
          Nd4j.getExecutioner().exec(new BroadcastMulOp(carried, carryIn[h].reshape(b), carried, 1));
        }
        numDen.addi(carried);

        INDArray flat = numDen.reshape(padded, dHead + 1).get(rows(0, n), NDArrayIndex.all());
        INDArray den = normalizer(lastColumn(flat), queryLogScale, scale, nonPositive);
        outputs[h] = Nd4j.createUninitialized(DataType.FLOAT, n, dHead);
        Nd4j.getExecutioner().exec(new BroadcastDivOp(allButLastColumn(flat), den, outputs[h], 0));
      }
      return finish(outputs, present, keepOutputs, nonPositive);
    }
  }


  /** Query rows per tile of exact softmax: with {@link #SOFTMAX_KEY_BLOCK}, a 16 MB score tile. */
  static final int SOFTMAX_QUERY_BLOCK = 4096;
  static final int SOFTMAX_KEY_BLOCK = 1024;

  /**
   * Exact softmax attention, the reference linear attention approximates:
   * O_i = Σ_j softmax_j(q_iᵀk_j / √d_head)·v_j per head on the raw projections (no feature map), over
   * every key of {@code keyTokens} — the whole sequence, its first token at position {@code keysStart} —
   * or, for a causal model, over keys at positions ≤ i. Online in blocks (a running maximum and sum
   * per query, as in FlashAttention), so memory is O((n + keys)·d) plus one score tile. Cost is
   * O(n·keys·d): use it for short sequences and as ground truth. Decay is not defined for softmax.
   * Absent positions give no key and no output.
   */
  public ChunkOutputs attendSoftmax(int[] tokens, long start, int[] keyTokens, long keysStart, boolean keepOutputs) {
    int n = tokens.length;
    if (n == 0) {
      return new ChunkOutputs(PooledSum.empty(inner), keepOutputs ? new float[0] : null);
    }
    for (double g : logGamma) {
      if (g < 0) {
        throw new IllegalArgumentException("softmax attention has no decayed form; use a model without decay");
      }
    }
    float scale = (float) (1.0 / Math.sqrt(dHead));
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      INDArray present = presence(tokens);
      INDArray[] outputs = new INDArray[heads];
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      queries.project(tokens, start, qAll);
      qAll.muli(scale);
      INDArray kb = Nd4j.createUninitialized(DataType.FLOAT, SOFTMAX_KEY_BLOCK, inner);
      INDArray vb = Nd4j.createUninitialized(DataType.FLOAT, SOFTMAX_KEY_BLOCK, values.width());
      INDArray tile = Nd4j.createUninitialized(DataType.FLOAT, SOFTMAX_QUERY_BLOCK, SOFTMAX_KEY_BLOCK);
      INDArray[] runningMax = new INDArray[heads];
      INDArray[] acc = new INDArray[heads]; // per head [Σ e^(s−M)·v | Σ e^(s−M)]
      for (int h = 0; h < heads; h++) {
        runningMax[h] = Nd4j.valueArrayOf(new long[] {n, 1}, Double.NEGATIVE_INFINITY, DataType.FLOAT);
        acc[h] = Nd4j.zeros(DataType.FLOAT, n, dHead + 1);
      }
      for (int k0 = 0; k0 < keyTokens.length; k0 += SOFTMAX_KEY_BLOCK) {
        long keyPos0 = keysStart + k0;
        if (causal && keyPos0 > start + n - 1) {
          break; // every later key is after every query
        }
        int bk = Math.min(SOFTMAX_KEY_BLOCK, keyTokens.length - k0);
        int[] blockTokens = java.util.Arrays.copyOfRange(keyTokens, k0, k0 + bk);
        INDArray keyPresent = presence(blockTokens);
        INDArray kAll = bk == SOFTMAX_KEY_BLOCK ? kb : Nd4j.createUninitialized(DataType.FLOAT, bk, inner);
        INDArray vAll = bk == SOFTMAX_KEY_BLOCK ? vb : Nd4j.createUninitialized(DataType.FLOAT, bk, values.width());
        keys.project(blockTokens, keyPos0, kAll);
        values.project(blockTokens, keyPos0, vAll);
        INDArray keyMask = keyPresent == null ? null : Transforms.log(keyPresent.reshape(1, bk), true);
        for (int q0 = 0; q0 < n; q0 += SOFTMAX_QUERY_BLOCK) {
          int bq = Math.min(SOFTMAX_QUERY_BLOCK, n - q0);
          long queryPos0 = start + q0;
          if (causal && keyPos0 > queryPos0 + bq - 1) {
            continue;
          }
          INDArray mask = causal && keyPos0 + bk - 1 > queryPos0 ? causalMask(queryPos0, bq, keyPos0, bk) : null;
          INDArray scores = bq == SOFTMAX_QUERY_BLOCK && bk == SOFTMAX_KEY_BLOCK
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
        Nd4j.getExecutioner().exec(new BroadcastDivOp(allButLastColumn(acc[h]), lastColumn(acc[h]), outputs[h], 0));
      }
      return finish(outputs, present, keepOutputs, null);
    }
  }

  /**
   * The root mean square of the softmax logits q_iᵀk_j/√d_head over all pairs (i, j) of the tokens
   * and all heads: how far from 0 the logits are, which decides how well random features can
   * approximate softmax. O(n²): meant for a few hundred tokens.
   */
  public double rmsLogit(int[] tokens, long start) {
    int n = tokens.length;
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      INDArray qAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      INDArray kAll = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      queries.project(tokens, start, qAll);
      keys.project(tokens, start, kAll);
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

  /** The last column of a [n, d_head + 1] array of [numerator | normalizer], as a contiguous [n, 1] copy. */
  private INDArray lastColumn(INDArray numDen) {
    return numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(dHead, dHead + 1)).dup();
  }

  /** The numerator columns of a [n, d_head + 1] array of [numerator | normalizer], a view. */
  private INDArray allButLastColumn(INDArray numDen) {
    return numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dHead));
  }

  /**
   * [S | z] entering each block of head h, row-major [blocks][m][d_head + 1]: block 0 gets the
   * chunk's prefix (times {@code prefixFactor}, which brings it to the chunk's log-scale); block i
   * gets γ^B·(state entering i−1) + (what block i−1 added).
   */
  private float[] enteringStates(Summary prefix, double prefixFactor, int h, float[] added, int blocks,
      double logBlockDecay) {
    int width = dHead + 1;
    int size = m * width;
    float[] states = new float[blocks * size];
    if (prefix != null) {
      double[] s = prefix.sOfHead(h);
      double[] z = prefix.zOfHead(h);
      for (int a = 0; a < m; a++) {
        for (int c = 0; c < dHead; c++) {
          states[a * width + c] = (float) (prefixFactor * s[a * dHead + c]);
        }
        states[a * width + dHead] = (float) (prefixFactor * z[a]);
      }
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

  private static org.nd4j.linalg.indexing.INDArrayIndex rows(long from, long count) {
    return NDArrayIndex.interval(from, from + count);
  }

  /**
   * The pooled sum over present positions — per head one product wᵀO_h with w the presence column —
   * and, when kept, the outputs as [n, inner] rows, NaN at absent positions (a position without a
   * token has no output).
   */
  private ChunkOutputs finish(INDArray[] outputs, INDArray present, boolean keepOutputs, INDArray nonPositive) {
    int n = (int) outputs[0].rows();
    INDArray weights = present != null ? present : Nd4j.ones(DataType.FLOAT, n, 1);
    long count = present == null ? n : present.sumNumber().longValue();
    double[] sum = new double[inner];
    INDArray pooledHead = Nd4j.createUninitialized(DataType.FLOAT, dHead, 1);
    for (int h = 0; h < heads; h++) {
      Nd4j.gemm(outputs[h], weights, pooledHead, true, false, 1.0, 0.0);
      float[] p = pooledHead.data().asFloat();
      for (int c = 0; c < dHead; c++) {
        sum[h * dHead + c] = p[c];
      }
    }
    long nonPositiveCount = 0;
    if (nonPositive != null) {
      if (present != null) {
        nonPositive.muli(present);
      }
      nonPositiveCount = nonPositive.gt(0.0).castTo(DataType.FLOAT).sumNumber().longValue();
    }
    float[] kept = keepOutputs ? interleave(outputs, n) : null;
    if (kept != null && present != null) {
      float[] p = present.data().asFloat();
      for (int i = 0; i < p.length; i++) {
        if (p[i] == 0) {
          java.util.Arrays.fill(kept, i * inner, (i + 1) * inner, Float.NaN);
        }
      }
    }
    return new ChunkOutputs(new PooledSum(count, sum, nonPositiveCount), kept);
  }

  /** The heads' [n, d_head] outputs side by side as row-major [n, inner]: a bulk copy per row and head. */
  private float[] interleave(INDArray[] outputs, int n) {
    if (heads == 1) {
      return outputs[0].data().asFloat();
    }
    float[] rows = new float[n * inner];
    for (int h = 0; h < heads; h++) {
      float[] head = outputs[h].data().asFloat();
      for (int i = 0; i < n; i++) {
        System.arraycopy(head, i * dHead, rows, i * inner + h * dHead, dHead);
      }
    }
    return rows;
  }

  /** Whether the feature map can give a normalizer φ(q)ᵀz ≤ 0 (relu, identity, trig), which is counted. */
  private boolean countsNonPositive() {
    return !featureMap.isPositive();
  }

  /**
   * The normalizer φ(q)ᵀz + eps of each row from its stabilized value {@code raw} = φ̃(q)ᵀz̃ (an [n, 1]
   * array, modified in place): with φ(q) = e^s·φ̃(q) and z = e^c·z̃, the output's ratio is
   * φ̃ᵀS̃ / (φ̃ᵀz̃ + eps·e^(−(s+c))), exactly the unstabilized one. Rows whose φ(q)ᵀz ≤ 0 are marked
   * in {@code nonPositive}.
   *
   * @param queryLogScale s per row [n, 1], or null with c = 0 (deterministic maps: plain + eps)
   */
  private INDArray normalizer(INDArray raw, INDArray queryLogScale, double c, INDArray nonPositive) {
    if (nonPositive != null) {
      nonPositive.addi(raw.lte(0.0).castTo(DataType.FLOAT));
    }
    if (queryLogScale == null) {
      return raw.addi(eps);
    }
    INDArray epsTerm = Transforms.exp(queryLogScale.add(c).negi(), false).muli(eps);
    return raw.addi(epsTerm);
  }

  /**
   * A [n, 1] column of 1 where a token is present and 0 where it is {@link Tokenizer#ABSENT}, or
   * null when every token is present (the common case, which then costs nothing).
   */
  private static INDArray presence(int[] tokens) {
    float[] p = null;
    for (int i = 0; i < tokens.length; i++) {
      if (tokens[i] == Tokenizer.ABSENT) {
        if (p == null) {
          p = new float[tokens.length];
          java.util.Arrays.fill(p, 1f);
        }
        p[i] = 0f;
      }
    }
    return p == null ? null : Nd4j.create(p, new long[] {tokens.length, 1}, DataType.FLOAT);
  }

  private void requireShape(Summary state) {
    if (state.heads() != heads || state.m() != m || state.dHead() != dHead) {
      throw new IllegalArgumentException("state shape [" + state.heads() + "," + state.m() + "," + state.dHead()
          + "] does not match the model's [" + heads + "," + m + "," + dHead + "]");
    }
  }
}
