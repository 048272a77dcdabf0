package io.seqattn.core.train;

import io.seqattn.core.stack.StackConfig;
import java.io.Serializable;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.nd4j.linalg.api.buffer.DataType;

/**
 * Mini-batch training of a format-2 model with a head (issue #16) — a classifier on the pooled
 * embedding, or a next-token head on every position: epochs over the
 * training sequences in a seeded shuffled order, each step the mean loss of a batch, its exact
 * whole-sequence gradients summed in batch order, clipped, and one AdamW step at the scheduled
 * learning rate. Where the per-sequence gradients are computed — this JVM, or Spark tasks — is
 * the {@link BatchGradients} given; since each sequence's gradient depends only on the sequence
 * and the weights, and the sum's order is the batch's, the weights after any step are the same
 * bits however the sequences were spread.
 */
public final class MiniBatchTrainer {
  /** The per-sequence results of one batch. */
  @FunctionalInterface
  public interface BatchGradients {
    /** One result per index of {@code batch}, in any order; {@code tensors} the weights (model and head). */
    List<SequenceResult> compute(Map<String, float[]> tensors, int[] batch);
  }

  /** One training sequence's loss, token count and gradient. */
  public record SequenceResult(int index, double loss, long tokens, Gradients gradients) implements Serializable {}

  /** What a step did, for the progress line and train.json. */
  public record StepLog(long step, int epoch, double loss, double learningRate, double gradientNorm, long tokens) {}

  /** A loss or weight that is no longer finite: training stops at this step, before any update. */
  public static final class DivergedException extends RuntimeException {
    public DivergedException(String message) {
      super(message);
    }
  }

  private final TrainSettings settings;
  private final ParameterStore params;
  private final AdamW optimizer;
  private final int sequences;

  public MiniBatchTrainer(TrainSettings settings, ParameterStore params, AdamW optimizer, int sequences) {
    if (sequences < 1) {
      throw new IllegalArgumentException("no training sequences");
    }
    this.settings = settings;
    this.params = params;
    this.optimizer = optimizer;
    this.sequences = sequences;
  }

  public long totalSteps() {
    return settings.totalSteps(sequences);
  }

  /** The order of epoch e (0-based): a Fisher–Yates shuffle of 0 … n − 1 from {@code seed} and e. */
  public int[] epochOrder(int epoch) {
    int[] order = new int[sequences];
    for (int i = 0; i < sequences; i++) {
      order[i] = i;
    }
    Random random = new Random(settings.seed() * 1_000_003L + epoch);
    for (int i = sequences - 1; i > 0; i--) {
      int j = random.nextInt(i + 1);
      int t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    return order;
  }

  /** The sequences of step t (1-based): its slice of its epoch's order. */
  public int[] batch(long t) {
    int perEpoch = settings.stepsPerEpoch(sequences);
    int epoch = (int) ((t - 1) / perEpoch);
    int within = (int) ((t - 1) % perEpoch);
    int from = within * settings.batchSize();
    return Arrays.copyOfRange(epochOrder(epoch), from, Math.min(sequences, from + settings.batchSize()));
  }

  /** Step t (1-based, the optimizer's next): the batch's gradients, clipped, and one AdamW update. */
  public StepLog step(long t, BatchGradients source) {
    if (t != optimizer.step() + 1) {
      throw new IllegalStateException("step " + t + " after " + optimizer.step() + " steps");
    }
    int[] batch = batch(t);
    Map<Integer, SequenceResult> byIndex = new HashMap<>();
    for (SequenceResult r : source.compute(params.floats(), batch)) {
      byIndex.put(r.index(), r);
    }
    Gradients sum = new Gradients();
    double loss = 0;
    long tokens = 0;
    for (int index : batch) {
      SequenceResult r = byIndex.get(index);
      if (r == null) {
        throw new IllegalStateException("no gradient came back for sequence " + index);
      }
      if (!Double.isFinite(r.loss())) {
        throw new DivergedException("step " + t + ": the loss of training sequence " + index + " is " + r.loss());
      }
      sum.addAll(r.gradients());
      loss += r.loss();
      tokens += r.tokens();
    }
    sum.scale(1.0 / batch.length);
    loss /= batch.length;
    double norm = sum.norm();
    if (!Double.isFinite(norm)) {
      throw new DivergedException("step " + t + ": the gradient norm is " + norm);
    }
    if (settings.clipNorm() > 0) {
      double coefficient = settings.clipNorm() / (norm + 1e-6);
      if (coefficient < 1) {
        sum.scale(coefficient);
      }
    }
    double lr = settings.learningRateAt(t, totalSteps());
    optimizer.update(params, sum, lr);
    String bad = params.firstNonFinite();
    if (bad != null) {
      throw new DivergedException("step " + t + ": tensor '" + bad + "' is no longer finite");
    }
    int epoch = (int) ((t - 1) / settings.stepsPerEpoch(sequences));
    return new StepLog(t, epoch, loss, lr, norm, tokens);
  }

  /**
   * One sequence's classification loss and gradient for the weights {@code tensors} (model and
   * classifier, by name): what a task computes for each sequence of a batch.
   */
  public static SequenceResult sequence(StackConfig config, Map<String, float[]> tensors, int index, int[] ids,
      int label, int chunkSize) {
    SequenceGradient.Result r = new SequenceGradient(config, tensors, classifier(config, tensors), DataType.FLOAT)
        .classify(ids, chunkSize, label);
    return new SequenceResult(index, r.loss(), ids.length, r.gradients());
  }

  /** One sequence's logits for the weights {@code tensors} (model and classifier): the forward pass only. */
  public static double[] logits(StackConfig config, Map<String, float[]> tensors, int[] ids, int chunkSize) {
    return new SequenceGradient(config, tensors, classifier(config, tensors), DataType.FLOAT).logits(ids, chunkSize);
  }

  private static Classifier classifier(StackConfig config, Map<String, float[]> tensors) {
    float[] b = tensors.get(Classifier.BIAS);
    return new Classifier(config.embeddingDim(), b.length, tensors.get(Classifier.WEIGHT), b);
  }

  /**
   * One sequence's next-token loss (mean −log p over its targets) and gradient for the weights
   * {@code tensors} (model and {@code lm_head}).
   */
  public static SequenceResult nextTokenSequence(StackConfig config, Map<String, float[]> tensors, int index,
      int[] ids, int[] targets, int chunkSize) {
    SequenceGradient.NextTokenResult r = new SequenceGradient(config, tensors, null, DataType.FLOAT)
        .nextToken(ids, targets, chunkSize, nextTokenHead(config, tensors), true);
    return new SequenceResult(index, r.loss(), r.targets(), r.gradients());
  }

  /**
   * log p(y_p) at every position of one whole sequence (NaN where there is no target), by the
   * streaming forward pass: memory bounded by a chunk whatever the sequence's length.
   */
  public static double[] nextTokenLogLikelihood(StackConfig config, Map<String, float[]> tensors, int[] ids,
      int[] targets, int chunkSize) {
    return new SequenceGradient(config, tensors, null, DataType.FLOAT).streamLogLikelihood(ids, targets, chunkSize,
        nextTokenHead(config, tensors));
  }

  private static NextTokenHead nextTokenHead(StackConfig config, Map<String, float[]> tensors) {
    float[] b = tensors.get(NextTokenHead.BIAS);
    return new NextTokenHead(config.dModel(), b.length, tensors.get(NextTokenHead.WEIGHT), b);
  }
}
