package io.seqattn.job.input;

/**
 * Input the job cannot use, with a message of the form {@code file:line: what is wrong}. It is
 * thrown inside Spark tasks and recognized by the CLI, which prints only the message.
 */
public class InputException extends RuntimeException {
  public InputException(String message) {
    super(message);
  }

  public InputException(String message, Throwable cause) {
    super(message, cause);
  }
}
