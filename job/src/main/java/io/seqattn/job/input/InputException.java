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

  /**
   * Data that cannot be decompressed or fails a checksum, whatever the format: {@code where} is
   * {@code FILE} or {@code FILE:LINE}, {@code what} says what was found. The user's remedy is the
   * same for all of them, so it is said the same way.
   */
  static InputException damaged(String where, String what) {
    return new InputException(where + ": " + what + ": the file is truncated or corrupt (re-download or recompress it)");
  }
}
