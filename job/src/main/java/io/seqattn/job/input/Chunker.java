package io.seqattn.job.input;

import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the chunks of every sequence a {@link SequenceReader} yields: tokens accumulate until a
 * chunk is full, so memory is one chunk plus one piece of text however long the sequence. Under
 * lenient validation a malformed record becomes a {@link ReadItem.Skipped} item and reading goes
 * on with the next record (chunks of it already emitted are dropped downstream by id). Closes the
 * reader when exhausted.
 */
public final class Chunker implements Iterator<ReadItem> {
  private final SequenceReader reader;
  private final Tokenizer tokenizer;
  private final int chunkSize;
  private final TokenBuffer buffer = new TokenBuffer();
  private final Validation validation;

  private SequenceInfo current;
  private boolean textDone;
  private int index;
  private long start;
  private ReadItem pending;
  private boolean closed;

  public Chunker(SequenceReader reader, Tokenizer tokenizer, int chunkSize) {
    this(reader, tokenizer, chunkSize, Validation.STRICT);
  }

  public Chunker(SequenceReader reader, Tokenizer tokenizer, int chunkSize, Validation validation) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.reader = reader;
    this.tokenizer = tokenizer;
    this.chunkSize = chunkSize;
    this.validation = validation;
  }

  @Override
  public boolean hasNext() {
    try {
      return advance();
    } catch (MalformedRecordException e) {
      if (validation == Validation.STRICT) {
        closeQuietly();
        throw e;
      }
      pending = new ReadItem.Skipped(e.seqId(), e.getMessage());
      current = null;
      buffer.clear();
      return true;
    }
  }

  private boolean advance() {
    try {
      while (pending == null && !closed) {
        if (current == null && !startSequence()) {
          close();
          return false;
        }
        while (!textDone && buffer.size() < chunkSize) {
          if (!reader.feedMore(tokenizer, buffer)) {
            tokenizer.finish(buffer);
            textDone = true;
          }
        }
        if (buffer.size() >= chunkSize) {
          pending = emit(chunkSize);
        } else {
          if (buffer.size() > 0 || index == 0) {
            pending = emit(buffer.size());
          }
          current = null;
        }
      }
      return pending != null;
    } catch (IOException e) {
      closeQuietly();
      throw new UncheckedIOException(e);
    } catch (MalformedRecordException e) {
      throw e;
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  @Override
  public ReadItem next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ReadItem out = pending;
    pending = null;
    return out;
  }

  private boolean startSequence() throws IOException {
    current = reader.nextSequence();
    if (current == null) {
      return false;
    }
    tokenizer.reset();
    buffer.clear();
    textDone = false;
    index = 0;
    start = 0;
    return true;
  }

  private ReadItem emit(int n) {
    boolean[] softMasked = buffer.hasFlags() ? buffer.peekFlags(n) : null;
    Chunk chunk = new Chunk(current.seqId(), index, start, buffer.take(n), index == 0 ? current : null, softMasked);
    index++;
    start += n;
    return chunk;
  }

  private void close() throws IOException {
    closed = true;
    reader.close();
  }

  private void closeQuietly() {
    try {
      close();
    } catch (IOException ignored) {
      // the original failure is the one worth reporting
    }
  }
}
