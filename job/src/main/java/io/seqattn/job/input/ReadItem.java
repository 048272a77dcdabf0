package io.seqattn.job.input;

import java.io.Serializable;

/** What reading yields: a {@link Chunk}, or — under lenient validation — a {@link Skipped} record. */
public sealed interface ReadItem extends Serializable permits Chunk, ReadItem.Skipped {

  /**
   * A malformed record left out under {@code --validation lenient}: its id when known (every chunk
   * already read of it is dropped too), where it is, and what was wrong.
   */
  record Skipped(String seqId, String reason) implements ReadItem {}
}
