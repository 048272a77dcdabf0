package io.seqattn.core.train;

import java.io.Serializable;

/**
 * How a model is trained: epochs over the training sequences in a seeded shuffled order,
 * mini-batches of {@code batchSize} sequences (the loss is their mean), AdamW with decoupled
 * weight decay on every matrix (norm weights and biases are not decayed), the learning rate
 * warmed up linearly over {@code warmupSteps} steps and then cosine-annealed to
 * {@code minLearningRate} at the last step, and the gradient clipped to a global norm of
 * {@code clipNorm} (0: no clipping) as PyTorch's {@code clip_grad_norm_} does.
 *
 * @param chunkSize tokens per chunk of the exact whole-sequence gradient
 */
public record TrainSettings(int epochs, int batchSize, double learningRate, double minLearningRate, int warmupSteps,
    double weightDecay, double beta1, double beta2, double adamEps, double clipNorm, long seed, int chunkSize)
    implements Serializable {

  public TrainSettings {
    require(epochs >= 1, "--epochs must be >= 1, got " + epochs);
    require(batchSize >= 1, "--batch-size must be >= 1, got " + batchSize);
    require(learningRate > 0 && Double.isFinite(learningRate), "--learning-rate must be > 0, got " + learningRate);
    require(minLearningRate >= 0 && minLearningRate <= learningRate,
        "--min-learning-rate must be in [0, --learning-rate], got " + minLearningRate);
    require(warmupSteps >= 0, "--warmup-steps must be >= 0, got " + warmupSteps);
    require(weightDecay >= 0 && Double.isFinite(weightDecay), "--weight-decay must be >= 0, got " + weightDecay);
    require(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1, "Adam's betas must be in [0, 1), got " + beta1
        + ", " + beta2);
    require(adamEps > 0, "Adam's eps must be > 0, got " + adamEps);
    require(clipNorm >= 0 && Double.isFinite(clipNorm), "--clip-norm must be >= 0, got " + clipNorm);
    require(chunkSize >= 1, "--chunk-size must be >= 1, got " + chunkSize);
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new IllegalArgumentException(message);
    }
  }

  /** The number of optimizer steps of a run over {@code sequences} training sequences. */
  public long totalSteps(int sequences) {
    return (long) epochs * stepsPerEpoch(sequences);
  }

  public int stepsPerEpoch(int sequences) {
    return (sequences + batchSize - 1) / batchSize;
  }

  /**
   * The learning rate of step t (1-based) of {@code total}: lr·t/W while t ≤ W, then lr_min + (lr −
   * lr_min)·½(1 + cos(π·(t − W)/(total − W))).
   */
  public double learningRateAt(long t, long total) {
    if (t <= warmupSteps) {
      return learningRate * t / warmupSteps;
    }
    if (total <= warmupSteps) {
      return learningRate;
    }
    double progress = (double) (t - warmupSteps) / (total - warmupSteps);
    return minLearningRate + (learningRate - minLearningRate) * 0.5 * (1 + Math.cos(Math.PI * progress));
  }
}
