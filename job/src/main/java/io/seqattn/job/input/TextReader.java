package io.seqattn.job.input;

import io.seqattn.core.tokenize.InvalidSymbolException;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A plain UTF-8 text file as one document whose id is the file name, read in 64 KiB pieces. An
 * empty file and bytes that are not UTF-8 are errors naming the file (and line).
 */
public final class TextReader implements SequenceReader {
  private final InputFile file;
  private final Reader in;
  private final CharBuffer piece = CharBuffer.allocate(1 << 16);
  private long line = 1;
  private boolean started;
  private boolean sawText;

  public TextReader(InputFile file) throws IOException {
    this.file = file;
    this.in = new InputStreamReader(file.open(),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  @Override
  public SequenceInfo nextSequence() {
    if (started) {
      return null;
    }
    started = true;
    return new SequenceInfo(file.fileName(), file.path() + ":1", null);
  }

  @Override
  public boolean feedMore(Tokenizer tokenizer, TokenBuffer out) throws IOException {
    piece.clear();
    int n;
    try {
      n = in.read(piece);
    } catch (CharacterCodingException e) {
      throw new MalformedRecordException(file.fileName(), file.path() + ":" + line + ": not valid UTF-8 text", e);
    }
    if (n < 0) {
      if (!sawText) {
        throw new InputException(file.path() + ": empty file (no text)");
      }
      return false;
    }
    sawText |= n > 0;
    piece.flip();
    try {
      tokenizer.feed(piece, 0, n, out);
    } catch (InvalidSymbolException e) {
      throw new MalformedRecordException(file.fileName(),
          file.path() + ":" + (line + countLines(piece, e.index())) + ": " + e.getMessage(), e);
    }
    line += countLines(piece, n);
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private static long countLines(CharSequence text, int end) {
    long lines = 0;
    for (int i = 0; i < end; i++) {
      if (text.charAt(i) == '\n') {
        lines++;
      }
    }
    return lines;
  }
}
