package io.seqattn.job.tracks;

import java.io.IOException;

/** A track that cannot be written as asked; the message names the file or sequence and what to do. */
public final class TrackException extends IOException {
  public TrackException(String message) {
    super(message);
  }
}
