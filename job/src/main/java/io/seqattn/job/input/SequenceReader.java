package io.seqattn.job.input;

import io.seqattn.core.tokenize.Tokenizer;
import io.seqattn.core.tokenize.TokenBuffer;
import java.io.Closeable;
import java.io.IOException;

/**
 * Pulls sequences out of one input file, one piece of text at a time, so that no sequence ever has
 * to be held whole. Each format implements this; {@link Chunker} turns it into chunks.
 */
public interface SequenceReader extends Closeable {

  /**
   * Advances to the next sequence (skipping whatever is left of the current one), or returns null
   * at the end of the file.
   *
   * @throws MalformedRecordException for a record that cannot be read, after resynchronizing
   */
  SequenceInfo nextSequence() throws IOException;

  /**
   * Feeds the next piece of the current sequence to {@code tokenizer}.
   *
   * @return false when the current sequence has no more text
   * @throws MalformedRecordException naming the file and line of bad text; the rest of the record
   *     is skipped by the next {@link #nextSequence()}
   */
  boolean feedMore(Tokenizer tokenizer, TokenBuffer out) throws IOException;
}
