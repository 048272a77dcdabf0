package io.seqattn.core.io;

/** A {@code .npy} file that seqattn cannot read; the message names the file. */
public final class NpyFormatException extends IllegalArgumentException {
  public NpyFormatException(String message) {
    super(message);
  }
}
