package io.seqattn.core.train;

import io.seqattn.core.model.Positional;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.tokenize.Tokenizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The exact gradient of a classification loss over one whole sequence, computed chunk by chunk
 * in one JVM: the algorithm a distributed trainer runs, each step a function of one chunk.
 *
 * <ol>
 *   <li>Forward, layer by layer: every chunk's share of the state, summed in chunk order; every
 *       chunk read against the total. The embedding pools the final normed rows (sums in double).
 *   <li>The head: loss, ∂loss/∂embedding, and ∂F for every chunk's rows.
 *   <li>Backward, from the last layer to the first: every chunk's query half (∂X but for the
 *       state's path, and its share of the state's adjoint), the shares summed in chunk order,
 *       then every chunk's key half with the total adjoint.
 *   <li>The embedding table's gradient, scattered from ∂X of layer 0.
 * </ol>
 *
 * Parameter gradients are summed in double in a fixed order (chunk by chunk, and within a chunk
 * the order of the pieces), so the same chunks give the same bits. This class keeps every layer's
 * activations of the sequence (n·d values per layer); a distributed trainer keeps them per chunk
 * or recomputes them from the tokens and the stored states.
 */
public final class SequenceGradient {
  private final StackConfig config;
  private final DataType type;
  private final INDArray table;
  private final int vocabulary;
  private final BlockLayer[] blocks;
  private final NormLayer finalNorm;
  private final double[] headWo;
  private final Classifier classifier;

  /**
   * @param tensors the model's tensors by name (float32, row-major), as {@code StackModel} holds them
   * @param type FLOAT to train, DOUBLE to check gradients against a float64 reference
   */
  public SequenceGradient(StackConfig config, Map<String, float[]> tensors, Classifier classifier, DataType type) {
    this.config = config;
    this.type = type;
    Parameters p = new Parameters(tensors, type);
    int d = config.dModel();
    this.vocabulary = p.raw("embedding").length / d;
    this.table = p.matrix("embedding", vocabulary, d);
    this.blocks = new BlockLayer[config.depth()];
    for (int i = 0; i < blocks.length; i++) {
      blocks[i] = new BlockLayer(i, config.layers().get(i), d, p);
    }
    this.finalNorm = config.finalNorm() == null ? null : new NormLayer("final_norm", config.finalNorm(), p);
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
  private record Chunk(int[] ids, long start, INDArray present) {}

  /** The loss and logits only (the forward pass). */
  public double[] logits(int[] ids, int chunkSize) {
    List<Chunk> chunks = chunks(ids, chunkSize);
    Forward f = forward(chunks);
    return classifier.logits(f.embedding);
  }

  /** The loss −log p_label of one sequence and the gradient of every tensor, chunks of {@code chunkSize}. */
  public Result classify(int[] ids, int chunkSize, int label) {
    if (label < 0 || label >= classifier.classes()) {
      throw new IllegalArgumentException("label " + label + " is not a class (0.." + (classifier.classes() - 1) + ")");
    }
    List<Chunk> chunks = chunks(ids, chunkSize);
    Forward f = forward(chunks);
    Gradients grads = new Gradients();
    double[] dEmbedding = new double[config.embeddingDim()];
    double loss = classifier.backward(f.embedding, label, grads, dEmbedding);
    int d = config.dModel();
    double[] dPooled = dEmbedding;
    if (headWo != null) {
      int dOut = config.dOut();
      double[] dWo = new double[d * dOut];
      dPooled = new double[d];
      for (int i = 0; i < d; i++) {
        double acc = 0;
        for (int j = 0; j < dOut; j++) {
          dWo[i * dOut + j] = f.pooledMean[i] * dEmbedding[j];
          acc += headWo[i * dOut + j] * dEmbedding[j];
        }
        dPooled[i] = acc;
      }
      grads.add("head.wo", dWo);
    }
    double[] dRow = new double[d];
    for (int i = 0; i < d; i++) {
      dRow[i] = dPooled[i] / f.count;
    }
    INDArray dRowArray = Nd4j.create(dRow, new long[] {1, d}, DataType.DOUBLE).castTo(type);
    int layers = blocks.length;
    List<INDArray> dx = new ArrayList<>();
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray dF = Dense.mm(chunk.present, dRowArray);
      INDArray last = f.activations.get(layers).get(c);
      dx.add(finalNorm == null ? dF : finalNorm.backward(last, dF, grads));
    }
    for (int l = layers - 1; l >= 0; l--) {
      BlockLayer block = blocks[l];
      List<INDArray> in = f.activations.get(l);
      GlobalState adjoint = block.zeroState();
      List<INDArray> partial = new ArrayList<>();
      for (int c = 0; c < chunks.size(); c++) {
        Chunk chunk = chunks.get(c);
        GlobalMixerLayer.Half half = block.backwardQueries(in.get(c), chunk.start, chunk.present, f.states.get(l),
            dx.get(c), grads);
        adjoint = adjoint.plus(half.adjoint());
        partial.add(half.dA());
      }
      for (int c = 0; c < chunks.size(); c++) {
        Chunk chunk = chunks.get(c);
        dx.set(c, partial.get(c).addi(block.backwardKeys(in.get(c), chunk.start, chunk.present, adjoint, grads)));
      }
    }
    for (int c = 0; c < chunks.size(); c++) {
      grads.addRows("embedding", vocabulary, chunks.get(c).ids, dx.get(c));
    }
    return new Result(loss, classifier.logits(f.embedding), grads);
  }

  /** Every layer's input per chunk (index L: the last block's output), the layers' states, the embedding. */
  private record Forward(List<List<INDArray>> activations, List<GlobalState> states, double[] pooledMean,
      double[] embedding, int count) {}

  private Forward forward(List<Chunk> chunks) {
    List<List<INDArray>> activations = new ArrayList<>();
    List<INDArray> x = new ArrayList<>();
    for (Chunk chunk : chunks) {
      x.add(embed(chunk));
    }
    activations.add(x);
    List<GlobalState> states = new ArrayList<>();
    for (BlockLayer block : blocks) {
      GlobalState state = block.zeroState();
      for (int c = 0; c < chunks.size(); c++) {
        state = state.plus(block.summarize(x.get(c), chunks.get(c).start, chunks.get(c).present));
      }
      states.add(state);
      List<INDArray> next = new ArrayList<>();
      for (int c = 0; c < chunks.size(); c++) {
        next.add(block.forward(x.get(c), chunks.get(c).start, chunks.get(c).present, state));
      }
      activations.add(next);
      x = next;
    }
    int d = config.dModel();
    double[] sum = new double[d];
    int count = 0;
    for (int c = 0; c < chunks.size(); c++) {
      Chunk chunk = chunks.get(c);
      INDArray out = finalNorm == null ? x.get(c) : finalNorm.apply(x.get(c));
      double[] part = Dense.columnSums(out.mulColumnVector(chunk.present)).castTo(DataType.DOUBLE).toDoubleVector();
      for (int i = 0; i < d; i++) {
        sum[i] += part[i];
      }
      count += chunk.present.sumNumber().intValue();
    }
    if (count == 0) {
      throw new IllegalArgumentException("the sequence has no present position: nothing to pool");
    }
    double[] mean = new double[d];
    for (int i = 0; i < d; i++) {
      mean[i] = sum[i] / count;
    }
    return new Forward(activations, states, mean, pooledEmbedding(mean), count);
  }

  /** mean·head.wo, or the mean itself. */
  private double[] pooledEmbedding(double[] mean) {
    if (headWo == null) {
      return mean;
    }
    int d = config.dModel();
    int dOut = config.dOut();
    double[] out = new double[dOut];
    for (int j = 0; j < dOut; j++) {
      double acc = 0;
      for (int i = 0; i < d; i++) {
        acc += mean[i] * headWo[i * dOut + j];
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
      int to = Math.min(ids.length, from + chunkSize);
      int[] part = java.util.Arrays.copyOfRange(ids, from, to);
      double[] present = new double[part.length];
      for (int i = 0; i < part.length; i++) {
        if (part[i] != Tokenizer.ABSENT && (part[i] < 0 || part[i] >= vocabulary)) {
          throw new IllegalArgumentException("token id " + part[i] + " at position " + (from + i)
              + " is outside the model's vocabulary (" + vocabulary + " ids)");
        }
        present[i] = part[i] == Tokenizer.ABSENT ? 0 : 1;
      }
      out.add(new Chunk(part, from, Nd4j.create(present, new long[] {part.length, 1}, DataType.DOUBLE).castTo(type)));
    }
    return out;
  }

  /** x_p = E[t_p] + PE(p), PE in double as the format defines it. */
  private INDArray embed(Chunk chunk) {
    int n = chunk.ids.length;
    int d = config.dModel();
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = Math.max(chunk.ids[i], 0);
    }
    INDArray x = table.getRows(rows);
    if (config.positional() == Positional.SINUSOIDAL) {
      double[] pe = new double[n * d];
      for (int i = 0; i < d / 2; i++) {
        double omega = Math.pow(10000.0, -2.0 * i / d);
        for (int r = 0; r < n; r++) {
          double angle = (chunk.start + r) * omega;
          pe[r * d + 2 * i] = Math.sin(angle);
          pe[r * d + 2 * i + 1] = Math.cos(angle);
        }
      }
      x.addi(Nd4j.create(pe, new long[] {n, d}, DataType.DOUBLE).castTo(type));
    }
    return x;
  }
}
