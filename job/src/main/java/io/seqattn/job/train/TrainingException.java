package io.seqattn.job.train;

/**
 * A training run that cannot go on for a reason the user can fix — a checkpoint of another model
 * or data set, a diverged loss, an impossible split — with a message that names the file, the
 * record or the step, and what to do.
 */
public final class TrainingException extends RuntimeException {
  public TrainingException(String message) {
    super(message);
  }
}
