package io.seqattn.job.input;

import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Streams the chunks of every sequence a {@link SequenceReader} yields: tokens accumulate until a
 * chunk is full, so memory is one chunk plus one piece of text however long the sequence. Closes
 * the reader when exhausted.
 */
public final class Chunker implements Iterator<Chunk> {
  private final SequenceReader reader;
  private final Tokenizer tokenizer;
  private final int chunkSize;
  private final TokenBuffer buffer = new TokenBuffer();

  private SequenceInfo current;
  private boolean textDone;
  private int index;
  private long start;
  private Chunk pending;
  private boolean closed;

  public Chunker(SequenceReader reader, Tokenizer tokenizer, int chunkSize) {
    if (chunkSize < 1) {
      throw new IllegalArgumentException("chunk size must be >= 1, got " + chunkSize);
    }
    this.reader = reader;
    this.tokenizer = tokenizer;
    this.chunkSize = chunkSize;
  }

  @Override
  public boolean hasNext() {
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
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }

  @Override
  public Chunk next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    Chunk out = pending;
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

  private Chunk emit(int n) {
    Chunk chunk = new Chunk(current.seqId(), index, start, buffer.take(n), index == 0 ? current : null);
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
