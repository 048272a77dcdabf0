package io.seqattn.core.safetensors;

/** A {@code .safetensors} file that seqattn cannot read; the message names the file and, where there is one, the tensor. */
public final class SafetensorsFormatException extends IllegalArgumentException {
  public SafetensorsFormatException(String message) {
    super(message);
  }

  public SafetensorsFormatException(String message, Throwable cause) {
    super(message, cause);
  }
}
