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

  /**
   * An index ({@code .fai} or {@code .gzi}) newer than its data file that does not describe it:
   * the data was changed while the index was kept (an edit in place, {@code cp -p}, {@code tar -x}).
   */
  static InputException staleIndex(String index, String data, String what) {
    return new InputException(index + ": does not match " + Storage.fileName(data) + ": " + what + " (the index is "
        + "stale: rebuild it with 'seqattn index " + data + "', or delete it)");
  }
}
