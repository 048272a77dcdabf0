package io.seqattn.job.input;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.tokenize.InvalidSymbolException;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Reads the pieces of one {@link ReadTask.FastaPieces} task by byte offset (uncompressed offsets of
 * a plain or BGZF file, through {@link ByteSource}): for chunks [c₀, c₁) of
 * a record it reads bases [c₀·C·s, (c₁·C − 1)·s + k) — computed from the .fai, no scanning — and
 * emits exactly the chunks a sequential read would, with their global indexes and starts. Chunk 0
 * of a record carries its header description, read back from just before the record's first base.
 */
public final class IndexedFastaReader implements Iterator<ReadItem>, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InputFile file;
  private final List<ReadTask.Piece> pieces;
  private final TokenizerSpec spec;
  private final Tokenizer tokenizer;
  private final int chunkSize;
  private final ByteSource source;
  private final Validation validation;
  private ReadItem.Skipped skipped;
  private final TokenBuffer buffer = new TokenBuffer();
  private final ByteBuffer bytes = ByteBuffer.allocate(1 << 16);
  private final StringBuilder text = new StringBuilder(1 << 16);

  private int piece = -1;
  private long nextChunk;
  private long tokensLeft;

  public IndexedFastaReader(InputFile file, List<ReadTask.Piece> pieces, Readers readers) throws IOException {
    this.validation = readers.validation();
    this.file = file;
    this.pieces = pieces;
    this.spec = readers.tokenizer();
    this.tokenizer = readers.newTokenizer();
    this.chunkSize = readers.chunkSize();
    this.source = ByteSource.open(file.path());
  }

  @Override
  public boolean hasNext() {
    if (skipped != null) {
      return true;
    }
    if (piece < pieces.size() && (piece < 0 || nextChunk >= pieces.get(piece).chunkTo())) {
      piece++;
      if (piece >= pieces.size()) {
        close();
        return false;
      }
      startPiece(pieces.get(piece));
    }
    return piece < pieces.size();
  }

  @Override
  public ReadItem next() {
    if (!hasNext()) {
      throw new NoSuchElementException();
    }
    ReadTask.Piece p = pieces.get(piece);
    if (skipped != null) {
      ReadItem out = skipped;
      skipped = null;
      nextChunk = p.chunkTo();
      return out;
    }
    int n = (int) Math.min(chunkSize, tokensLeft);
    if (buffer.size() < n) {
      throw stale("record '" + p.entry().name() + "' is shorter than the " + p.entry().length() + " bases it says");
    }
    SequenceInfo info = nextChunk == 0 ? info(p.entry()) : null;
    boolean[] softMasked = buffer.hasFlags() ? buffer.peekFlags(n) : null;
    Chunk chunk = new Chunk(p.entry().name(), (int) nextChunk, nextChunk * chunkSize, buffer.take(n), info,
        softMasked);
    tokensLeft -= n;
    nextChunk++;
    return chunk;
  }

  private void startPiece(ReadTask.Piece p) {
    FastaIndex.Entry e = p.entry();
    long stride = spec.stride();
    long totalTokens = e.length() < spec.k() ? 0 : (e.length() - spec.k()) / stride + 1;
    long firstToken = p.chunkFrom() * chunkSize;
    long endToken = Math.min(totalTokens, p.chunkTo() * chunkSize);
    nextChunk = p.chunkFrom();
    tokensLeft = Math.max(0, endToken - firstToken);
    buffer.clear();
    tokenizer.reset();
    if (tokensLeft == 0) {
      return;
    }
    long fromBase = firstToken * stride;
    long toBase = (endToken - 1) * stride + spec.k();
    try {
      readBases(e, fromBase, toBase);
    } catch (IOException ex) {
      throw new UncheckedIOException(file.path() + ": " + ex.getMessage(), ex);
    } catch (MalformedRecordException ex) {
      if (validation == Validation.STRICT) {
        close();
        throw ex;
      }
      skipped = new ReadItem.Skipped(e.name(), ex.getMessage());
      return;
    }
    tokenizer.finish(buffer);
  }

  /** Feeds bases [from, to) of the record to the tokenizer, skipping line terminators. */
  private void readBases(FastaIndex.Entry e, long from, long to) throws IOException {
    long pos = e.offsetOf(from);
    long end = e.offsetOf(to - 1) + 1;
    long base = from;
    while (pos < end) {
      bytes.clear();
      bytes.limit((int) Math.min(bytes.capacity(), end - pos));
      int read = source.read(bytes, pos);
      if (read <= 0) {
        throw stale("the file ends inside record '" + e.name() + "'");
      }
      text.setLength(0);
      long column = (pos - e.offset()) % e.lineWidth();
      for (int i = 0; i < read; i++) {
        byte b = bytes.get(i);
        boolean lineBreak = b == '\n' || b == '\r';
        if (lineBreak != (column >= e.lineBases())) { // bases and line breaks where the index puts them, for free
          throw stale("byte " + (pos + i) + " of record '" + e.name() + "' is " + (lineBreak ? "a line break" : "not a "
              + "line break") + " where the index says it is " + (lineBreak ? "a base" : "one"));
        }
        if (!lineBreak) {
          text.append((char) (b & 0xff));
        }
        if (++column == e.lineWidth()) {
          column = 0;
        }
      }
      try {
        tokenizer.feed(text, 0, text.length(), buffer);
      } catch (InvalidSymbolException ex) {
        throw new MalformedRecordException(e.name(), file.path() + ": sequence '" + e.name() + "', base "
            + (base + ex.index() + 1) + ": " + ex.getMessage(), ex);
      }
      base += text.length();
      pos += read;
    }
  }

  /** The file's .fai does not describe it (found while reading, past the planner's cheap checks). */
  private InputException stale(String what) {
    return InputException.staleIndex(FastaIndex.indexPathOf(file.path()), file.path(), what);
  }

  /** Origin and header description of a record, read back from the bytes before its first base. */
  private SequenceInfo info(FastaIndex.Entry e) {
    String origin = file.path() + ": record '" + e.name() + "' at byte " + e.offset();
    try {
      FastaIndex.LineBefore header = FastaIndex.LineBefore.read(source, 0, e.offset());
      if (header == null || !header.line().startsWith(">")) {
        return new SequenceInfo(e.name(), origin, null); // a header longer than 64 KiB: no description
      }
      String description = FastaIndex.descriptionOf(header.line().substring(1));
      return new SequenceInfo(e.name(), origin,
          description.isEmpty() ? null : JSON.createObjectNode().put("description", description).toString());
    } catch (IOException ex) {
      throw new UncheckedIOException(ex);
    }
  }

  @Override
  public void close() {
    try {
      source.close();
    } catch (IOException ignored) {
      // nothing left to read
    }
  }
}
