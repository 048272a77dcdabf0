package io.seqattn.core.attention;

import io.seqattn.core.model.FeatureMap;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.memory.conf.WorkspaceConfiguration;
import org.nd4j.linalg.api.memory.enums.AllocationPolicy;
import org.nd4j.linalg.api.memory.enums.LearningPolicy;
import org.nd4j.linalg.api.memory.enums.SpillPolicy;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;

/**
 * The two passes of global linear attention over one chunk of a sequence, on ND4J.
 *
 * <p>Both passes embed the chunk's tokens at their global positions, x_p = E[t_p] + PE(p), and
 * project them with one fused GEMM. {@link #summarize} (pass 1) returns the chunk's
 * {@link Summary}: S_h = φ(K_h)ᵀV_h and z_h = φ(K_h)ᵀ1, each a single GEMM with a transpose flag.
 * {@link #attend} (pass 2) reads the chunk out against a sequence's merged state:
 * O_i,h = φ(q_i,h)ᵀS_h / (φ(q_i,h)ᵀz_h + eps), numerator and normalizer from one GEMM per head
 * against [S_h | z_h]. Compute is float32 (BLAS sgemm); everything
 * that crosses chunks — S, z, pooled sums — is returned in double.
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

  private final ModelConfig config;
  private final FeatureMap featureMap;
  private final int heads;
  private final int dHead;
  private final int m;
  private final int inner;
  private final double eps;
  private final INDArray embedding;
  private final INDArray wkv;
  private final INDArray wq;
  private final SinusoidalPositions positions;

  public ChunkKernel(Model model) {
    this.config = model.config();
    this.featureMap = config.featureMap();
    this.heads = config.heads();
    this.dHead = config.dHead();
    this.m = config.featureDim();
    this.inner = config.innerDim();
    this.eps = config.eps();
    int d = config.dModel();
    int vocab = config.tokenizer().vocabularySize();
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().scopeOutOfWorkspaces()) {
      this.embedding = Nd4j.create(model.embedding(), new long[] {vocab, d}, DataType.FLOAT);
      INDArray wk = Nd4j.create(model.wk(), new long[] {d, inner}, DataType.FLOAT);
      INDArray wv = Nd4j.create(model.wv(), new long[] {d, inner}, DataType.FLOAT);
      this.wkv = Nd4j.hstack(wk, wv);
      this.wq = Nd4j.create(model.wq(), new long[] {d, inner}, DataType.FLOAT);
      this.positions = config.positional() == Positional.SINUSOIDAL ? new SinusoidalPositions(d) : null;
    }
  }

  public ModelConfig config() {
    return config;
  }

  /** Pass 1: the summary of the tokens {@code tokens}, the first at global position {@code start}. */
  public Summary summarize(int[] tokens, long start) {
    if (tokens.length == 0) {
      return Summary.empty(heads, m, dHead);
    }
    double[] s = new double[heads * m * dHead];
    double[] z = new double[heads * m];
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      int n = tokens.length;
      INDArray x = embed(tokens, start);
      INDArray kv = Nd4j.createUninitialized(DataType.FLOAT, n, 2L * inner);
      Nd4j.gemm(x, wkv, kv, false, false, 1.0, 0.0);
      INDArray phiK = kv.get(NDArrayIndex.all(), NDArrayIndex.interval(0, inner));
      featureMap.applyInPlace(phiK);

      INDArray ones = Nd4j.ones(DataType.FLOAT, n, 1);
      INDArray zAll = Nd4j.createUninitialized(DataType.FLOAT, inner, 1);
      Nd4j.gemm(phiK, ones, zAll, true, false, 1.0, 0.0);
      copyInto(zAll, z, 0);

      INDArray sHead = Nd4j.createUninitialized(DataType.FLOAT, m, dHead);
      for (int h = 0; h < heads; h++) {
        INDArray kh = kv.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dHead, (h + 1) * dHead));
        INDArray vh = kv.get(NDArrayIndex.all(), NDArrayIndex.interval(inner + h * dHead, inner + (h + 1) * dHead));
        Nd4j.gemm(kh, vh, sHead, true, false, 1.0, 0.0);
        copyInto(sHead, s, h * m * dHead);
      }
    }
    return new Summary(heads, m, dHead, tokens.length, s, z);
  }

  /**
   * Pass 2: the attention outputs of the chunk against {@code state}, the merged summary of its
   * whole sequence.
   *
   * @param keepOutputs whether to return the per-position outputs (else only their pooled sum)
   */
  public ChunkOutputs attend(int[] tokens, long start, Summary state, boolean keepOutputs) {
    int n = tokens.length;
    if (state.heads() != heads || state.m() != m || state.dHead() != dHead) {
      throw new IllegalArgumentException("state shape [" + state.heads() + "," + state.m() + "," + state.dHead()
          + "] does not match the model's [" + heads + "," + m + "," + dHead + "]");
    }
    if (n == 0) {
      return new ChunkOutputs(PooledSum.empty(inner), keepOutputs ? new float[0] : null);
    }
    try (MemoryWorkspace ignored = Nd4j.getWorkspaceManager().getAndActivateWorkspace(WORKSPACE, WORKSPACE_ID)) {
      INDArray x = embed(tokens, start);
      INDArray q = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      Nd4j.gemm(x, wq, q, false, false, 1.0, 0.0);
      featureMap.applyInPlace(q);

      // Per head one GEMM against [S_h | z_h] yields numerator and normalizer together.
      INDArray out = Nd4j.createUninitialized(DataType.FLOAT, n, inner);
      INDArray stateHead = Nd4j.createUninitialized(DataType.FLOAT, m, dHead + 1);
      INDArray numDen = Nd4j.createUninitialized(DataType.FLOAT, n, dHead + 1);
      for (int h = 0; h < heads; h++) {
        stateHead.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dHead))
            .assign(Nd4j.createFromArray(state.sOfHead(h)).reshape(m, dHead));
        stateHead.get(NDArrayIndex.all(), NDArrayIndex.point(dHead))
            .assign(Nd4j.createFromArray(state.zOfHead(h)));
        INDArray qh = q.get(NDArrayIndex.all(), NDArrayIndex.interval(h * m, (h + 1) * m));
        Nd4j.gemm(qh, stateHead, numDen, false, false, 1.0, 0.0);
        INDArray den = numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(dHead, dHead + 1)).addi(eps);
        out.get(NDArrayIndex.all(), NDArrayIndex.interval(h * dHead, (h + 1) * dHead))
            .assign(numDen.get(NDArrayIndex.all(), NDArrayIndex.interval(0, dHead)).diviColumnVector(den));
      }
      double[] sum = out.castTo(DataType.DOUBLE).sum(0).toDoubleVector();
      float[] outputs = keepOutputs ? out.data().asFloat() : null;
      return new ChunkOutputs(new PooledSum(n, sum), outputs);
    }
  }

  /** x = E[tokens] + PE(start …), as a fresh [n, d_model] float array in the current workspace. */
  private INDArray embed(int[] tokens, long start) {
    INDArray x = Nd4j.pullRows(embedding, 1, tokens);
    if (positions != null) {
      positions.addTo(x, start);
    }
    return x;
  }

  private static void copyInto(INDArray contiguous, double[] target, int offset) {
    float[] values = contiguous.data().asFloat();
    int len = (int) contiguous.length();
    for (int i = 0; i < len; i++) {
      target[offset + i] = values[i];
    }
  }
}
