package io.seqattn.core.mixer;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.linear.CausalLinearAttention;
import io.seqattn.core.mixer.linear.GlobalLinearAttention;
import io.seqattn.core.mixer.softmax.ExactSoftmax;
import io.seqattn.core.mixer.softmax.ExactSoftmaxKernel;
import io.seqattn.core.model.Model;

/**
 * One model's three kernels behind one front, for callers that hold a model rather than a mixer
 * (tests, benchmarks): pass 1 ({@link #summarize}) and the global, causal and exact-softmax pass 2.
 * Each is the {@link MixerKernel} of its mixer — {@link GlobalLinearAttention},
 * {@link CausalLinearAttention}, {@link ExactSoftmax} — built on first use. Not thread-safe: one
 * front per task thread.
 */
public final class ChunkKernel {

  /** The default causal block: large enough for efficient GEMMs, small enough that B² ≪ B·d. */
  public static final int DEFAULT_BLOCK_SIZE = CausalLinearAttention.DEFAULT_BLOCK_SIZE;

  private final Model model;
  private final int blockSize;
  private MixerKernel<Summary> global;
  private MixerKernel<Summary> causal;
  private ExactSoftmaxKernel softmax;

  public ChunkKernel(Model model) {
    this(model, DEFAULT_BLOCK_SIZE);
  }

  /** With causal blocks of {@code blockSize} tokens. */
  public ChunkKernel(Model model, int blockSize) {
    if (blockSize < 1) {
      throw new IllegalArgumentException("block size must be >= 1, got " + blockSize);
    }
    this.model = model;
    this.blockSize = blockSize;
  }

  /** Pass 1: the summary of the tokens {@code tokens}, the first at global position {@code start}. */
  public Summary summarize(int[] tokens, long start) {
    return global().summarize(tokens, start);
  }

  /** Global pass 2: the chunk's outputs against {@code state}, the merged summary of its whole sequence. */
  public ChunkOutputs attend(int[] tokens, long start, Summary state, boolean keepOutputs) {
    return global().attend(tokens, start, state, keepOutputs);
  }

  /** Causal pass 2: against {@code prefix}, the state before the chunk (null for a sequence's first). */
  public ChunkOutputs attendCausal(int[] tokens, long start, Summary prefix, boolean keepOutputs) {
    if (causal == null) {
      causal = new CausalLinearAttention(blockSize).newKernel(model);
    }
    return causal.attend(tokens, start, prefix, keepOutputs);
  }

  /** Exact softmax over every key of {@code keyTokens} (causal for a causal model), the first at {@code keysStart}. */
  public ChunkOutputs attendSoftmax(int[] tokens, long start, int[] keyTokens, long keysStart, boolean keepOutputs) {
    return softmax().attend(tokens, start, keyTokens, keysStart, keepOutputs);
  }

  /** The root mean square of the softmax logits over all pairs of the tokens: see {@link ExactSoftmaxKernel#rmsLogit}. */
  public double rmsLogit(int[] tokens, long start) {
    return softmax().rmsLogit(tokens, start);
  }

  private MixerKernel<Summary> global() {
    if (global == null) {
      global = new GlobalLinearAttention().newKernel(model);
    }
    return global;
  }

  private ExactSoftmaxKernel softmax() {
    if (softmax == null) {
      softmax = (ExactSoftmaxKernel) ExactSoftmax.of(model.config()).newKernel(model);
    }
    return softmax;
  }
}
