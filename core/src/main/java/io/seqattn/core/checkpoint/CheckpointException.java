package io.seqattn.core.checkpoint;

/** A checkpoint that does not fit the config it is imported with; the message names the file and every tensor at fault. */
public final class CheckpointException extends IllegalArgumentException {
  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
