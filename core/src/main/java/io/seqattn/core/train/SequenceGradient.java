package io.seqattn.core.train;

import io.seqattn.core.attention.SoftmaxPool;
import io.seqattn.core.mixer.ChunkWorkspace;
import io.seqattn.core.model.Positional;
import io.seqattn.core.stack.AttentionPooling;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact gradient of a classification loss over one whole sequence, computed chunk by chunk
 * in one JVM: the algorithm a distributed trainer runs, each step a function of one chunk.
 *
 * <ol>
 *   <li>Forward, layer by layer: every chunk's summary; the summaries folded in chunk order into
 *       what each chunk reads (the total for a global mixer, the exclusive prefix for a causal
 *       one); every chunk read against its context. The embedding pools the final normed rows
 *       (sums in double), by the mean or by the attention of learned queries (a softmax pool per
 *       chunk, merged in chunk order).
 *   <li>The head: loss, ∂loss/∂embedding, and ∂F for every chunk's rows.
 *   <li>Backward, from the last layer to the first ({@link MixerLayer}): every chunk's query half
 *       (∂X but for the path through its own summary, and its share of its context's adjoint);
 *       the shares turned into each summary's adjoint — summed in chunk order (global) or by a
 *       reverse suffix scan (causal); every chunk's key half; for trained gates, the suffix sums
 *       of ∂G and every chunk's gate half.
 *   <li>The embedding table's gradient, scattered from ∂X of layer 0.
 * </ol>
 *
 * Parameter gradients are summed in double in a fixed order (chunk by chunk, and within a chunk
 * the order of the pieces), so the same chunks give the same bits. This class keeps every layer's
 * activations of the sequence (n·d values per layer); a distributed trainer keeps them per chunk
 * or recomputes them from the tokens and the stored states.
 */
public final class SequenceGradient {
  private static final String SEQUENCE_SCOPE = "train-sequence";
  private static final String CHUNK_SCOPE = "train-chunk";

  private final StackConfig config;
  private final DataType type;
  /** The embedding table [vocabulary, d], row-major. */
  private final float[] table;
  private final int vocabulary;
  private final BlockLayer[] blocks;
  private final NormLayer finalNorm;
  private final double[] headWo;
  /** Pooling by the learned queries, or null to pool by the mean. */
  private final AttentionPooling pooling;
  private final Classifier classifier;

  /**
   * @param tensors the model's tensors by name (float32, row-major), as {@code StackModel} holds them
   * @param classifier the classification head, or null for a language model ({@link #nextToken})
   * @param type FLOAT to train, DOUBLE to check gradients against a float64 reference
   */
  public SequenceGradient(StackConfig config, Map<String, float[]> tensors, Classifier classifier, DataType type) {
    this.config = config;
    this.type = type;
    Parameters p = new Parameters(tensors, type);
    int d = config.dModel();
    this.table = p.raw("embedding");
    this.vocabulary = table.length / d;
    this.blocks = new BlockLayer[config.depth()];
    try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
      for (int i = 0; i < blocks.length; i++) {
        blocks[i] = new BlockLayer(i, config.layers().get(i), d, p);
      }
      this.finalNorm = config.finalNorm() == null ? null : new NormLayer("final_norm", config.finalNorm(), p);
      this.pooling = config.poolsByAttention() ? new AttentionPooling(
          p.matrix(AttentionPoolingLayer.QUERIES, config.poolQueries(), d)) : null;
    }
    if (config.dOut() > 0) {
      float[] wo = p.raw("head.wo");
      this.headWo = new double[wo.length];
      for (int i = 0; i < wo.length; i++) {
        headWo[i] = wo[i];
      }
    } else {
      this.headWo = null;
    }
    this.classifier = classifier;
  }

  /** The loss, the logits and every tensor's gradient for one sequence. */
  public record Result(double loss, double[] logits, Gradients gradients) {}

  /** One chunk of the sequence: its ids, first position and presence column. */
  private record Chunk(int[] ids, long start, INDArray present, int presentCount) {}

  /** The logits only: the forward pass, no gradient. */
  public double[] logits(int[] ids, int chunkSize) {
    try (MemoryWorkspace ignored = ChunkWorkspace.scope(SEQUENCE_SCOPE)) {
      return classifier.logits(forward(chunks(ids, chunkSize)).embedding);
    }
  }

  /** The loss −log p_label of one sequence and the gradient of every tensor, chunks of {@code chunkSize}. */
  public Result classify(int[] ids, int chunkSize, int label) {
    if (label < 0 || label >= classifier.classes()) {
      throw new IllegalArgumentException("label " + label + " is not a class (0.." + (classifier.classes() - 1) + ")");
    }
    try (MemoryWorkspace ignored = ChunkWorkspace.scope(SEQUENCE_SCOPE)) {
      return classifyInScope(chunks(ids, chunkSize), label);
    }
  }

  private Result classifyInScope(List<Chunk> chunks, int label) {
    Forward f = forward(chunks);
    Gradients grads = new Gradients();
    double[] dEmbedding = new double[config.embeddingDim()];
    double loss = classifier.backward(f.embedding, label, grads, dEmbedding);
    int w = config.pooledWidth();
    double[] dPooled = dEmbedding;
    if (headWo != null) {
      int dOut = config.dOut();
      double[] dWo = new double[w * dOut];
      dPooled = new double[w];
      for (int i = 0; i < w; i++) {
        double acc = 0;
        for (int j = 0; j < dOut; j++) {
          dWo[i * dOut + j] = f.pooled[i] * dEmbedding[j];
          acc += headWo[i * dOut + j] * dEmbedding[j];
        }
        dPooled[i] = acc;
      }
      grads.add("head.wo", dWo);
    }
    PoolBackward poolBackward = poolBackward(f, dPooled);
    int layers = blocks.length;
    List<INDArray> dx = new ArrayList<>();
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray last = f.activations.get(layers).get(c);
      dx.add(inChunkScope(chunk, () -> {
        INDArray dF = poolBackward.rows(last, chunk.present, grads);
        return finalNorm == null ? dF : finalNorm.backward(last, dF, grads);
      }));
    }
    backward(chunks, f, dx, grads);
    return new Result(loss, classifier.logits(f.embedding), grads);
  }

  /** ∂F of one chunk's final normed rows from ∂loss/∂pooled, given the last block's output. */
  private interface PoolBackward {
    INDArray rows(INDArray last, INDArray present, Gradients grads);
  }

  /** The mean's backward (every present row gets ∂pooled/count) or the attention pool's. */
  private PoolBackward poolBackward(Forward f, double[] dPooled) {
    if (pooling != null) {
      AttentionPoolingLayer layer = new AttentionPoolingLayer(pooling, f.attention, dPooled, type);
      return (last, present, grads) -> layer.backward(finalNorm == null ? last : finalNorm.apply(last), present, grads);
    }
    int d = config.dModel();
    double[] dRow = new double[d];
    for (int i = 0; i < d; i++) {
      dRow[i] = dPooled[i] / f.count;
    }
    INDArray dRowArray = Nd4j.create(dRow, new long[] {1, d}, DataType.DOUBLE).castTo(type);
    return (last, present, grads) -> Dense.mm(present, dRowArray);
  }

  /** A next-token loss and its gradient: the mean −log p over the targets, and log p at every position. */
  public record NextTokenResult(double loss, long targets, double[] logLikelihood, Gradients gradients) {}

  /**
   * The language-model loss of one sequence, −(1/T)·Σ_p log p(y_p) over its T positions with a
   * target, with every tensor's gradient (the head's included) when {@code withGradient}, and log
   * p(y_p) per position (NaN where there is no target). Every mixer must be causal: a global one
   * would let a position see the token it is asked to predict.
   *
   * @param targets the class to predict at each position, −1 for none ({@link NextTokenTargets})
   */
  public NextTokenResult nextToken(int[] ids, int[] targets, int chunkSize, NextTokenHead head,
      boolean withGradient) {
    requireCausal();
    if (targets.length != ids.length) {
      throw new IllegalArgumentException(targets.length + " targets for " + ids.length + " ids");
    }
    long count = 0;
    for (int y : targets) {
      if (y >= head.classes()) {
        throw new IllegalArgumentException("target " + y + " is not a class of the head (0.." + (head.classes() - 1)
            + ")");
      }
      count += y >= 0 ? 1 : 0;
    }
    if (count == 0) {
      throw new IllegalArgumentException("the sequence has no position with a next token to predict (" + ids.length
          + " ids)");
    }
    long targetCount = count;
    try (MemoryWorkspace ignored = ChunkWorkspace.scope(SEQUENCE_SCOPE)) {
      List<Chunk> chunks = chunks(ids, chunkSize);
      Forward f = forward(chunks);
      Gradients grads = withGradient ? new Gradients() : null;
      double[] ll = new double[ids.length];
      java.util.Arrays.fill(ll, Double.NaN);
      List<INDArray> dx = new ArrayList<>();
      int layers = blocks.length;
      for (int c = 0; c < chunks.size(); c++) {
        Chunk chunk = chunks.get(c);
        INDArray last = f.activations.get(layers).get(c);
        int from = (int) chunk.start;
        if (grads == null) {
          try (MemoryWorkspace inner = ChunkWorkspace.scope(CHUNK_SCOPE)) {
            head.apply(finalNorm == null ? last : finalNorm.apply(last), targets, from, ll, from, 0, null);
          }
          continue;
        }
        dx.add(inChunkScope(chunk, () -> {
          INDArray dF = head.apply(finalNorm == null ? last : finalNorm.apply(last), targets, from, ll, from,
              1.0 / targetCount, grads);
          return finalNorm == null ? dF : finalNorm.backward(last, dF, grads);
        }));
      }
      double sum = 0;
      for (int p = 0; p < ll.length; p++) {
        if (targets[p] >= 0) {
          sum += ll[p];
        }
      }
      if (grads != null) {
        backward(chunks, f, dx, grads);
      }
      return new NextTokenResult(-sum / targetCount, targetCount, ll, grads);
    }
  }

  /**
   * log p(y_p) at every position (NaN where there is no target), chunk by chunk through all the
   * layers at once: a causal layer's chunk needs only the summaries of the chunks before it, so
   * each layer keeps its running prefix and nothing of a chunk outlives it — memory bounded by a
   * chunk, for a held-out chromosome of any length. The same numbers as {@link #nextToken}'s.
   */
  public double[] streamLogLikelihood(int[] ids, int[] targets, int chunkSize, NextTokenHead head) {
    requireCausal();
    if (targets.length != ids.length) {
      throw new IllegalArgumentException(targets.length + " targets for " + ids.length + " ids");
    }
    double[] ll = new double[ids.length];
    java.util.Arrays.fill(ll, Double.NaN);
    MixerState[] prefix = new MixerState[blocks.length];
    for (int l = 0; l < blocks.length; l++) {
      prefix[l] = blocks[l].mixer().zeroState();
    }
    for (int from = 0; from < ids.length; from += chunkSize) {
      int to = Math.min(ids.length, from + chunkSize);
      try (MemoryWorkspace ignored = ChunkWorkspace.scope(CHUNK_SCOPE)) {
        Chunk chunk = chunk(ids, from, to);
        INDArray x = embed(chunk);
        for (int l = 0; l < blocks.length; l++) {
          MixerState summary = blocks[l].summarize(x, chunk.start, chunk.present);
          x = blocks[l].forward(x, chunk.start, chunk.present, prefix[l]);
          prefix[l] = prefix[l].then(summary);
        }
        head.apply(finalNorm == null ? x : finalNorm.apply(x), targets, from, ll, from, 0, null);
      }
    }
    return ll;
  }

  private void requireCausal() {
    for (int i = 0; i < config.depth(); i++) {
      if (!config.layers().get(i).mixer().causal()) {
        throw new IllegalArgumentException("layers." + i + ".mixer is global: a language model needs causal mixers "
            + "(\"causal\": true), or a position would see the token it predicts");
      }
    }
  }

  /** From ∂(last block's output) per chunk down to the embedding table. */
  private void backward(List<Chunk> chunks, Forward f, List<INDArray> dx, Gradients grads) {
    for (int l = blocks.length - 1; l >= 0; l--) {
      backwardLayer(blocks[l], chunks, f.activations.get(l), f.summaries.get(l), f.contexts.get(l), dx, grads);
    }
    for (int c = 0; c < chunks.size(); c++) {
      // an absent position read row 0 (embed), and a causal layer's gate there depends on it
      int[] rows = chunks.get(c).ids.clone();
      for (int r = 0; r < rows.length; r++) {
        rows[r] = Math.max(rows[r], 0);
      }
      grads.addRows("embedding", vocabulary, rows, dx.get(c));
    }
  }

  /**
   * One block's backward over the sequence's chunks: every chunk's query half against its
   * context; the shares turned into every chunk's summary adjoint (a sum, or the reverse suffix
   * scan of a causal mixer); every chunk's key half; and for trained gates the suffix sums of ∂G
   * over the whole sequence, then every chunk's gate half. {@code dx} holds ∂Y per chunk on entry
   * and ∂X on return.
   */
  private void backwardLayer(BlockLayer block, List<Chunk> chunks, List<INDArray> in, List<MixerState> summaries,
      List<MixerState> contexts, List<INDArray> dx, Gradients grads) {
    MixerLayer mixer = block.mixer();
    List<INDArray> partial = new ArrayList<>();
    List<MixerState> shares = new ArrayList<>();
    List<double[][]> dG = new ArrayList<>();
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray x = in.get(c);
      INDArray dy = dx.get(c);
      MixerState context = contexts.get(c);
      MixerLayer.Half[] half = new MixerLayer.Half[1];
      partial.add(inChunkScope(chunk, () -> {
        half[0] = block.backwardQueries(x, chunk.start, chunk.present, context, dy, grads);
        return half[0].dA();
      }));
      shares.add(half[0].share());
      dG.add(half[0].dG());
    }
    List<MixerState> adjoints = mixer.keyAdjoints(summaries, shares);
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray x = in.get(c);
      MixerState adjoint = adjoints.get(c);
      double[][][] keyG = new double[1][][];
      INDArray keys = inChunkScope(chunk, () -> {
        MixerLayer.KeyHalf half = block.backwardKeys(x, chunk.start, chunk.present, adjoint, grads);
        keyG[0] = half.dG();
        return half.dA();
      });
      dx.set(c, partial.get(c).addi(keys));
      if (keyG[0] != null) {
        addInto(dG.get(c), keyG[0]);
      }
    }
    if (!mixer.trainsGates()) {
      return;
    }
    suffixSums(dG);
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray x = in.get(c);
      double[][] dg = dG.get(c);
      dx.get(c).addi(inChunkScope(chunk, () -> block.backwardGates(x, dg, grads)));
    }
  }

  private static void addInto(double[][] sum, double[][] part) {
    for (int h = 0; h < sum.length; h++) {
      for (int t = 0; t < sum[h].length; t++) {
        sum[h][t] += part[h][t];
      }
    }
  }

  /** ∂g_s = Σ_(t ≥ s) ∂G_t over the whole sequence, in place: chunks from the last, positions from the end. */
  private static void suffixSums(List<double[][]> dG) {
    int heads = dG.get(0).length;
    double[] after = new double[heads];
    for (int c = dG.size() - 1; c >= 0; c--) {
      double[][] rows = dG.get(c);
      for (int h = 0; h < heads; h++) {
        for (int t = rows[h].length - 1; t >= 0; t--) {
          after[h] += rows[h][t];
          rows[h][t] = after[h];
        }
      }
    }
  }

  /**
   * {@code work}'s [n, d] result for one chunk, computed in a nested workspace whose temporaries
   * are reused from chunk to chunk, and copied into an array of the sequence's workspace.
   */
  private INDArray inChunkScope(Chunk chunk, Supplier<INDArray> work) {
    INDArray out = Nd4j.createUninitialized(type, chunk.ids.length, config.dModel());
    try (MemoryWorkspace ignored = ChunkWorkspace.scope(CHUNK_SCOPE)) {
      out.assign(work.get());
    }
    return out;
  }

  /**
   * Every layer's input per chunk (index L: the last block's output), the layers' states, the
   * pooled final output (the mean, or the attention pool's result, which {@code attention} holds
   * the statistics of), the embedding.
   */
  private record Forward(List<List<INDArray>> activations, List<List<MixerState>> summaries,
      List<List<MixerState>> contexts, double[] pooled, SoftmaxPool attention, double[] embedding, int count) {}

  private Forward forward(List<Chunk> chunks) {
    List<List<INDArray>> activations = new ArrayList<>();
    List<INDArray> x = new ArrayList<>();
    for (Chunk chunk : chunks) {
      x.add(inChunkScope(chunk, () -> embed(chunk)));
    }
    activations.add(x);
    List<List<MixerState>> summaries = new ArrayList<>();
    List<List<MixerState>> contexts = new ArrayList<>();
    for (BlockLayer block : blocks) {
      List<MixerState> parts = new ArrayList<>();
      for (int c = 0; c < chunks.size(); c++) {
        Chunk chunk = chunks.get(c);
        try (MemoryWorkspace ignored = ChunkWorkspace.scope(CHUNK_SCOPE)) {
          parts.add(block.summarize(x.get(c), chunk.start, chunk.present));
        }
      }
      List<MixerState> reads = block.mixer().contexts(parts);
      summaries.add(parts);
      contexts.add(reads);
      List<INDArray> next = new ArrayList<>();
      List<INDArray> in = x;
      for (int c = 0; c < chunks.size(); c++) {
        Chunk chunk = chunks.get(c);
        INDArray input = in.get(c);
        MixerState context = reads.get(c);
        next.add(inChunkScope(chunk, () -> block.forward(input, chunk.start, chunk.present, context)));
      }
      activations.add(next);
      x = next;
    }
    int d = config.dModel();
    double[] sum = new double[d];
    SoftmaxPool attention = null;
    int count = 0;
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      double[] part;
      SoftmaxPool pool = null;
      try (MemoryWorkspace ignored = ChunkWorkspace.scope(CHUNK_SCOPE)) {
        INDArray out = finalNorm == null ? x.get(c) : finalNorm.apply(x.get(c));
        part = Dense.columnSums(out.mulColumnVector(chunk.present)).castTo(DataType.DOUBLE).toDoubleVector();
        if (pooling != null) {
          pool = pooling.chunk(out, chunk.present, chunk.presentCount);
        }
      }
      for (int i = 0; i < d; i++) {
        sum[i] += part[i];
      }
      if (pool != null) {
        attention = SoftmaxPool.MERGE.mergeNullable(attention, pool);
      }
      count += chunk.presentCount;
    }
    if (count == 0) {
      throw new IllegalArgumentException("the sequence has no present position: nothing to pool");
    }
    double[] pooled;
    if (attention != null) {
      pooled = attention.result();
    } else {
      pooled = new double[d];
      for (int i = 0; i < d; i++) {
        pooled[i] = sum[i] / count;
      }
    }
    return new Forward(activations, summaries, contexts, pooled, attention, pooledEmbedding(pooled), count);
  }

  /** pooled·head.wo, or the pooled rows themselves. */
  private double[] pooledEmbedding(double[] pooled) {
    if (headWo == null) {
      return pooled;
    }
    int w = config.pooledWidth();
    int dOut = config.dOut();
    double[] out = new double[dOut];
    for (int j = 0; j < dOut; j++) {
      double acc = 0;
      for (int i = 0; i < w; i++) {
        acc += pooled[i] * headWo[i * dOut + j];
      }
      out[j] = acc;
    }
    return out;
  }

  private List<Chunk> chunks(int[] ids, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    List<Chunk> out = new ArrayList<>();
    for (int from = 0; from < ids.length; from += chunkSize) {
      out.add(chunk(ids, from, Math.min(ids.length, from + chunkSize)));
    }
    return out;
  }

  /** Positions [from, to) of the sequence as a chunk, its ids checked against the vocabulary. */
  private Chunk chunk(int[] ids, int from, int to) {
    int[] part = java.util.Arrays.copyOfRange(ids, from, to);
    double[] present = new double[part.length];
    int count = 0;
    for (int i = 0; i < part.length; i++) {
      if (part[i] != Tokenizer.ABSENT && (part[i] < 0 || part[i] >= vocabulary)) {
        throw new IllegalArgumentException("token id " + part[i] + " at position " + (from + i)
            + " is outside the model's vocabulary (" + vocabulary + " ids)");
      }
      present[i] = part[i] == Tokenizer.ABSENT ? 0 : 1;
      count += (int) present[i];
    }
    return new Chunk(part, from, Nd4j.create(present, new long[] {part.length, 1}, DataType.DOUBLE).castTo(type),
        count);
  }

  /**
   * x_p = E[t_p] + PE(p): the embedding rows copied in bulk (an absent position reads row 0; it
   * has no key and is not pooled), PE computed in double as the format defines it.
   */
  private INDArray embed(Chunk chunk) {
    int n = chunk.ids.length;
    int d = config.dModel();
    double[] x = new double[n * d];
    for (int r = 0; r < n; r++) {
      int row = Math.max(chunk.ids[r], 0) * d;
      for (int i = 0; i < d; i++) {
        x[r * d + i] = table[row + i];
      }
    }
    if (config.positional() == Positional.SINUSOIDAL) {
      for (int i = 0; i < d / 2; i++) {
        double omega = Math.pow(10000.0, -2.0 * i / d);
        for (int r = 0; r < n; r++) {
          double angle = (chunk.start + r) * omega;
          x[r * d + 2 * i] += Math.sin(angle);
          x[r * d + 2 * i + 1] += Math.cos(angle);
        }
      }
    }
    return Nd4j.create(x, new long[] {n, d}, DataType.DOUBLE).castTo(type);
  }
}
