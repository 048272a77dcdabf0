package io.seqattn.core.stack;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.ChunkOutputAssembly;
import io.seqattn.core.mixer.ChunkWorkspace;
import io.seqattn.core.mixer.SinusoidalPositions;
import io.seqattn.core.model.Positional;
import io.seqattn.core.network.Halo;
import io.seqattn.core.network.LayeredKernel;
import io.seqattn.core.tokenize.Tokenizer;
import java.nio.FloatBuffer;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.concurrency.AffinityManager;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A deep model ({@link StackModel}) on ND4J for one task thread: a chunk's tokens embedded (E[t] +
 * PE(p)), run through blocks 0 … ℓ − 1 against their contexts, and layer ℓ's mixer summarized
 * (pass 1 of layer ℓ); or run through every block and the final norm (the last pass), the outputs
 * pooled (by the mean, or by {@link AttentionPooling}). Earlier layers are recomputed from the
 * tokens in every pass rather than cached between passes: a chunk's state is a few ints a token,
 * its hidden states d floats a token. All work of one call happens in the thread's chunk
 * workspace.
 *
 * <p>A block whose mixer reads the rows before a chunk (a short convolution) gets them as the
 * chunk's {@link Halo} of that block's input, which only the block-by-block calls take: the
 * recomputing calls refuse a chunk that does not start its sequence.
 */
final class StackKernel implements LayeredKernel {
  static final int BLOCK_SIZE = StackNetwork.CAUSAL_BLOCK_SIZE;

  private final StackConfig config;
  private final float[] embedding;
  private final SinusoidalPositions positions;
  private final Block[] blocks;
  private final Norms finalNorm;
  private final int outputLayer;
  private final ChunkOutputAssembly assembly;
  /** Pooling by the learned queries, or null to pool by the mean. */
  private final AttentionPooling pooling;

  /** One block's norms, mixer and feed-forward layer. */
  private record Block(Norms norm1, StackAttention mixer, Norms norm2, FeedForward ffn) {
    INDArray forward(INDArray x, long start, INDArray present, Summary context, StackAttention.Before before) {
      INDArray h = x.add(mixer.attend(norm1.apply(x), start, present, context, before));
      return ffn == null ? h : h.addi(ffn.apply(norm2.apply(h)));
    }

    Summary summarize(INDArray x, long start, INDArray present, StackAttention.Before before) {
      return mixer.summarize(norm1.apply(x), start, present, before);
    }

    /** The halo's rows normed as the mixer's input, or null for none. */
    StackAttention.Before before(Halo halo, int d) {
      if (halo.size() == 0) {
        return null;
      }
      INDArray rows = HostArrays.ofBytes(halo.rows(), halo.size(), d);
      return new StackAttention.Before(norm1.apply(rows), ChunkOutputAssembly.presence(halo.tokens()));
    }
  }

  /** @param outputLayer the block whose output the last pass returns (1-based), or 0 for the final normed output */
  StackKernel(StackModel model, int outputLayer) {
    this(model, outputLayer, BLOCK_SIZE);
  }

  /** With causal layers blocked by {@code blockSize} positions (tests of the blocking). */
  StackKernel(StackModel model, int outputLayer, int blockSize) {
    this.config = model.config();
    this.embedding = model.tensor("embedding");
    this.outputLayer = outputLayer;
    int d = config.dModel();
    this.assembly = new ChunkOutputAssembly(1, d);
    try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
      this.positions = config.positional() == Positional.SINUSOIDAL ? new SinusoidalPositions(d) : null;
      this.blocks = new Block[config.depth()];
      for (int i = 0; i < blocks.length; i++) {
        BlockSpec spec = config.layers().get(i);
        String p = "layers." + i + ".";
        blocks[i] = new Block(norm(model, p + "norm1", spec.norm()),
            new StackAttention(spec.mixer(), model, p, d, blockSize),
            spec.ffn() == null ? null : norm(model, p + "norm2", spec.norm()),
            spec.ffn() == null ? null : new FeedForward(spec.ffn(), model, p, d));
      }
      this.finalNorm = config.finalNorm() == null ? null : norm(model, "final_norm", config.finalNorm());
      this.pooling = config.poolsByAttention() ? new AttentionPooling(HostArrays.of(model.tensor("head.pool_queries"),
          config.poolQueries(), d)) : null;
    }
  }

  private static Norms norm(StackModel model, String name, NormSpec spec) {
    return new Norms(spec, model.tensor(name + ".weight"),
        spec.kind().hasBias() ? model.tensor(name + ".bias") : null);
  }

  @Override
  public Object summarize(int layer, int[] tokens, long start, List<Object> contexts) {
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray x = embed(tokens, start);
      for (int l = 0; l < layer; l++) {
        x = blocks[l].forward(x, start, present, (Summary) contexts.get(l), noHalo(l, start));
      }
      return blocks[layer].summarize(x, start, present, noHalo(layer, start));
    }
  }

  @Override
  public ChunkOutputs attend(int[] tokens, long start, List<Object> contexts, boolean keepOutputs) {
    if (tokens.length == 0) {
      return assembly.empty(keepOutputs);
    }
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray present = ChunkOutputAssembly.presence(tokens);
      INDArray x = embed(tokens, start);
      INDArray chosen = null;
      for (int l = 0; l < blocks.length; l++) {
        x = blocks[l].forward(x, start, present, (Summary) contexts.get(l), noHalo(l, start));
        if (l + 1 == outputLayer) {
          chosen = x;
        }
      }
      return finish(x, chosen, present, keepOutputs);
    }
  }

  @Override
  public byte[] embedded(int[] tokens, long start) {
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      return tokens.length == 0 ? new byte[0] : values(embed(tokens, start));
    }
  }

  @Override
  public Object summarizeFrom(int layer, byte[] input, int[] tokens, long start, Halo halo) {
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray x = activations(input, tokens.length);
      return blocks[layer].summarize(x, start, ChunkOutputAssembly.presence(tokens), before(layer, halo, start));
    }
  }

  @Override
  public byte[] forward(int layer, byte[] input, int[] tokens, long start, Object context, Halo halo) {
    if (tokens.length == 0) {
      return new byte[0];
    }
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      INDArray x = activations(input, tokens.length);
      return values(blocks[layer].forward(x, start, ChunkOutputAssembly.presence(tokens), (Summary) context,
          before(layer, halo, start)));
    }
  }

  /**
   * The halo as the block reads it, checked to hold every row the block reaches back to: K − 1,
   * or all positions before the chunk when fewer (a shorter halo would silently read zeros).
   */
  private StackAttention.Before before(int layer, Halo halo, long start) {
    long reach = Math.min(config.layers().get(layer).mixer().haloRows(), start);
    if (halo.size() != reach) {
      throw new IllegalStateException("layer " + layer + " reads " + reach + " rows before the chunk at " + start
          + ", but its halo has " + halo.size());
    }
    return blocks[layer].before(halo, config.dModel());
  }

  /**
   * No rows before the chunk, which is right for a sequence's first chunk only: a block that
   * reads them refuses any other here (the recomputing calls have no earlier chunk's activations).
   */
  private StackAttention.Before noHalo(int layer, long start) {
    if (start > 0 && config.layers().get(layer).mixer().haloRows() > 0) {
      throw new IllegalStateException("layer " + layer + "'s short convolution reads the rows before the chunk at "
          + start + ": run it block by block (LayeredKernel) with its halo");
    }
    return null;
  }

  @Override
  public ChunkOutputs finish(byte[] last, byte[] chosen, int[] tokens, boolean keepOutputs) {
    if (tokens.length == 0) {
      return assembly.empty(keepOutputs);
    }
    try (MemoryWorkspace ignored = ChunkWorkspace.enter()) {
      return finish(activations(last, tokens.length), chosen == null ? null : activations(chosen, tokens.length),
          ChunkOutputAssembly.presence(tokens), keepOutputs);
    }
  }

  /** The final norm, the pooled sum of its output and the outputs kept (the chosen block's, when there is one). */
  private ChunkOutputs finish(INDArray x, INDArray chosen, INDArray present, boolean keepOutputs) {
    INDArray out = finalNorm == null ? x : finalNorm.apply(x);
    ChunkOutputs result = assembly.finish(new INDArray[] {out}, present, keepOutputs && chosen == null, null);
    if (pooling != null) {
      PooledSum mean = result.pooled();
      result = new ChunkOutputs(new PooledSum(mean.count(), mean.sum(), mean.nonPositiveNormalizers(),
          pooling.chunk(out, present, mean.count())), result.outputs());
    }
    if (!keepOutputs || chosen == null) {
      return result;
    }
    return new ChunkOutputs(result.pooled(), assembly.finish(new INDArray[] {chosen}, present, true, null).outputs());
  }

  /** Activations [n, d] as their float32 bytes, row-major, for storing between passes. */
  private static byte[] values(INDArray x) {
    return HostArrays.bytes(x);
  }

  /** Stored activations [n, d] as an array in the current workspace. */
  private INDArray activations(byte[] values, int n) {
    int d = config.dModel();
    if (values.length != (long) n * d * Float.BYTES) {
      throw new IllegalArgumentException("activations hold " + values.length + " bytes, expected " + n + " x " + d
          + " floats");
    }
    return HostArrays.ofBytes(values, n, d);
  }

  /** x_p = E[t_p] + PE(p), [n, d]: a bulk copy of each token's row, plus one GEMM for the positions. */
  private INDArray embed(int[] tokens, long start) {
    int n = tokens.length;
    int d = config.dModel();
    INDArray x = Nd4j.createUninitialized(DataType.FLOAT, n, d);
    FloatBuffer memory = x.data().asNioFloat();
    for (int p = 0; p < n; p++) {
      int row = Math.max(tokens[p], 0); // an absent position reads row 0; it has no key anyway
      if (tokens[p] != Tokenizer.ABSENT && row * d >= embedding.length) {
        throw new IllegalArgumentException("token id " + tokens[p] + " is outside the model's vocabulary ("
            + embedding.length / d + " ids)");
      }
      memory.put(p * d, embedding, row * d, d);
    }
    Nd4j.getAffinityManager().tagLocation(x, AffinityManager.Location.HOST);
    if (positions != null) {
      x.addi(positions.encode(start, n));
    }
    return x;
  }
}
