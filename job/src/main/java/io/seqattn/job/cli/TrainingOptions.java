package io.seqattn.job.cli;

import io.seqattn.core.train.TrainSettings;
import picocli.CommandLine.Option;

/**
 * The optimizer's options, shared by {@code seqattn train} and {@code seqattn classify --train}:
 * AdamW (β = 0.9, 0.999; ε = 1e-8) with linear warm-up, cosine decay and global-norm clipping.
 */
final class TrainingOptions {

  @Option(names = "--epochs", defaultValue = "10", description = "Epochs (default: ${DEFAULT-VALUE}).")
  int epochs;

  @Option(names = "--batch-size", defaultValue = "8", description = "Sequences per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(names = "--learning-rate", defaultValue = "0.003", description = "Peak learning rate (default: ${DEFAULT-VALUE}).")
  double learningRate;

  @Option(names = "--min-learning-rate", defaultValue = "0.0003",
      description = "Learning rate at the last step (default: ${DEFAULT-VALUE}).")
  double minLearningRate;

  @Option(names = "--warmup-steps", defaultValue = "10", description = "Linear warm-up steps (default: ${DEFAULT-VALUE}).")
  int warmupSteps;

  @Option(names = "--weight-decay", defaultValue = "0.01",
      description = "AdamW's decoupled weight decay of matrices (default: ${DEFAULT-VALUE}).")
  double weightDecay;

  @Option(names = "--clip-norm", defaultValue = "1.0",
      description = "Clip the gradient to this global norm, 0 for none (default: ${DEFAULT-VALUE}).")
  double clipNorm;

  /** The settings, or one line saying which option is out of range. */
  TrainSettings settings(long seed, int chunkSize) {
    try {
      return new TrainSettings(epochs, batchSize, learningRate, minLearningRate, warmupSteps, weightDecay, 0.9,
          0.999, 1e-8, clipNorm, seed, chunkSize);
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException(e.getMessage());
    }
  }
}
