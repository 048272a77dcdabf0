package io.seqattn.core.model;

/** A model directory that cannot be used; the message names the file and the field at fault. */
public final class ModelFormatException extends IllegalArgumentException {
  public ModelFormatException(String message) {
    super(message);
  }

  public ModelFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
