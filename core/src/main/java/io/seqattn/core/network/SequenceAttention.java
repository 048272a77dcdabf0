package io.seqattn.core.network;

import io.seqattn.core.attention.ChunkOutputs;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.mixer.LayerMixer;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.mixer.softmax.ExactSoftmax;
import io.seqattn.core.model.Model;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Every output of one whole sequence in memory, by the same chunked computation the Spark job does
 * for a network — layer by layer, each chunk summarized, the summaries combined across chunks as
 * the layer's mixer says, and once every layer has its contexts every chunk read out, pooled sums
 * merged in chunk order — so outputs and embeddings are bitwise the job's at the same chunk size.
 * For sequences that fit in one JVM: the approximation study, and library callers that hold a
 * document rather than a DataFrame. A network whose layers read {@link Halo}s runs block by block,
 * as the job's cached plan does, each chunk's halo cut from the previous chunk's block input.
 */
public final class SequenceAttention {
  private final Network network;
  private final NetworkKernel kernel;
  private final int chunkSize;

  /** With a kernel the caller already has (a Spark task's cached one); it must be the network's. */
  public SequenceAttention(Network network, NetworkKernel kernel, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.network = network;
    this.kernel = kernel;
    this.chunkSize = chunkSize;
  }

  /** A network with a fresh kernel. */
  public static SequenceAttention of(Network network, int chunkSize) {
    return new SequenceAttention(network, network.newKernel(), chunkSize);
  }

  /** A one-layer model's own linear attention (global, or causal for causal models). */
  public static SequenceAttention linear(Model model, int chunkSize) {
    return of(new OneLayerNetwork(model, Mixers.linear(model.config())), chunkSize);
  }

  /** Exact softmax attention over a one-layer model's projections (causal for a causal model). */
  public static SequenceAttention softmax(Model model, int chunkSize) {
    return of(new OneLayerNetwork(model, ExactSoftmax.of(model.config())), chunkSize);
  }

  /** The outputs, row-major [tokens, output width], the first token at position 0. */
  public float[] outputs(int[] tokens) {
    float[] out = new float[tokens.length * network.outputWidth()];
    run(tokens, out);
    return out;
  }

  /** The pooled embedding of a whole sequence, or null for a sequence without tokens. */
  public float[] embedding(int[] tokens) {
    PooledSum pooled = run(tokens, null);
    return pooled == null ? null : network.embedding(pooled);
  }

  /**
   * Every layer's merge of all its summaries of the sequence, in layer order: for a layer that
   * keeps a state (linear attention), the sequence's state of that layer — the total for a global
   * layer, the final state for a causal one.
   */
  public List<Object> totals(int[] tokens) {
    List<int[]> chunks = chunks(tokens);
    if (network.readsHalos()) {
      List<Object> totals = new ArrayList<>();
      blockByBlock(chunks, totals);
      return totals;
    }
    List<List<Object>> contexts = new ArrayList<>();
    chunks.forEach(c -> contexts.add(new ArrayList<>()));
    return contexts(chunks, contexts);
  }

  private List<int[]> chunks(int[] tokens) {
    List<int[]> chunks = new ArrayList<>();
    for (int from = 0; from < tokens.length; from += chunkSize) {
      chunks.add(Arrays.copyOfRange(tokens, from, Math.min(tokens.length, from + chunkSize)));
    }
    return chunks;
  }

  /** Appends every layer's context to every chunk's list; returns each layer's total. */
  private List<Object> contexts(List<int[]> chunks, List<List<Object>> contexts) {
    List<Object> totals = new ArrayList<>();
    for (int layer = 0; layer < network.depth(); layer++) {
      List<Object> summaries = new ArrayList<>();
      for (int c = 0; c < chunks.size(); c++) {
        summaries.add(kernel.summarize(layer, chunks.get(c), (long) c * chunkSize, contexts.get(c)));
      }
      totals.add(combine(network.mixer(layer), summaries, contexts));
    }
    return totals;
  }

  /** Every layer's contexts, then the final pass; the outputs go to {@code out} unless null. */
  private PooledSum run(int[] tokens, float[] out) {
    List<int[]> chunks = chunks(tokens);
    if (network.readsHalos()) {
      return finishBlockByBlock(chunks, blockByBlock(chunks, new ArrayList<>()), out);
    }
    List<List<Object>> contexts = new ArrayList<>();
    chunks.forEach(c -> contexts.add(new ArrayList<>()));
    contexts(chunks, contexts);
    PooledSum pooled = null;
    for (int c = 0; c < chunks.size(); c++) {
      ChunkOutputs o = kernel.attend(chunks.get(c), (long) c * chunkSize, contexts.get(c), out != null);
      if (out != null) {
        System.arraycopy(o.outputs(), 0, out, c * chunkSize * network.outputWidth(), o.outputs().length);
      }
      pooled = PooledSum.MERGE.mergeNullable(pooled, o.pooled());
    }
    return pooled;
  }

  /** Every chunk's last block input and chosen block output ([2][chunks]); each layer's total goes to {@code totals}. */
  private byte[][][] blockByBlock(List<int[]> chunks, List<Object> totals) {
    LayeredKernel layered = (LayeredKernel) kernel;
    int count = chunks.size();
    byte[][] input = new byte[count][];
    byte[][] chosen = null;
    for (int c = 0; c < count; c++) {
      input[c] = layered.embedded(chunks.get(c), start(c));
    }
    for (int layer = 0; layer < network.depth(); layer++) {
      Halo[] halos = new Halo[count];
      List<Object> summaries = new ArrayList<>();
      List<List<Object>> contexts = new ArrayList<>();
      for (int c = 0; c < count; c++) {
        halos[c] = c == 0 || network.haloRows(layer) == 0 ? Halo.NONE
            : Halo.tailOf(input[c - 1], chunks.get(c - 1), network.haloRows(layer));
        summaries.add(layered.summarizeFrom(layer, input[c], chunks.get(c), start(c), halos[c]));
        contexts.add(new ArrayList<>());
      }
      totals.add(combine(network.mixer(layer), summaries, contexts));
      byte[][] output = new byte[count][];
      for (int c = 0; c < count; c++) {
        output[c] = layered.forward(layer, input[c], chunks.get(c), start(c), contexts.get(c).get(0), halos[c]);
      }
      input = output;
      if (layer + 1 == network.outputBlock()) {
        chosen = output;
      }
    }
    return new byte[][][] {input, chosen};
  }

  /** The final pass of {@link #blockByBlock}'s activations; the outputs go to {@code out} unless null. */
  private PooledSum finishBlockByBlock(List<int[]> chunks, byte[][][] activations, float[] out) {
    LayeredKernel layered = (LayeredKernel) kernel;
    PooledSum pooled = null;
    for (int c = 0; c < chunks.size(); c++) {
      ChunkOutputs o = layered.finish(activations[0][c], activations[1] == null ? null : activations[1][c],
          chunks.get(c), out != null);
      if (out != null) {
        System.arraycopy(o.outputs(), 0, out, c * chunkSize * network.outputWidth(), o.outputs().length);
      }
      pooled = PooledSum.MERGE.mergeNullable(pooled, o.pooled());
    }
    return pooled;
  }

  private long start(int chunk) {
    return (long) chunk * chunkSize;
  }

  /**
   * Appends one layer's context to every chunk's, as its mixer combines summaries across chunks,
   * and returns the merge of all of them.
   */
  @SuppressWarnings("unchecked") // a layer's summaries are its mixer's
  private static <S> S combine(LayerMixer<S> mixer, List<Object> summaries, List<List<Object>> contexts) {
    return switch (mixer.crossChunk()) {
      case REDUCTION -> {
        S total = mixer.semigroup().mergeAll((List<S>) summaries);
        contexts.forEach(c -> c.add(total));
        yield total;
      }
      case ORDERED_SCAN -> {
        S prefix = null;
        for (int c = 0; c < summaries.size(); c++) {
          contexts.get(c).add(prefix);
          prefix = mixer.semigroup().mergeNullable(prefix, (S) summaries.get(c));
        }
        yield prefix;
      }
    };
  }

  /**
   * ‖approx − exact‖ / ‖exact‖ (Frobenius, in double) over the positions where both are defined
   * (absent positions are NaN in both).
   */
  public static double relativeError(float[] approx, float[] exact) {
    if (approx.length != exact.length) {
      throw new IllegalArgumentException("outputs of different sizes: " + approx.length + " and " + exact.length);
    }
    double diff = 0;
    double norm = 0;
    for (int i = 0; i < exact.length; i++) {
      if (Float.isNaN(exact[i])) {
        continue;
      }
      double d = (double) approx[i] - exact[i];
      diff += d * d;
      norm += (double) exact[i] * exact[i];
    }
    return Math.sqrt(diff / norm);
  }
}
