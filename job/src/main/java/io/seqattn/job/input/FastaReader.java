package io.seqattn.job.input;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.tokenize.InvalidSymbolException;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * FASTA, read line by line: a record starts at a {@code >} header whose first word is the sequence
 * id and whose remainder is kept as the {@code description} passthrough field. Sequence lines may
 * have any length, CRLF endings and trailing white space; blank lines are skipped. Sequence data
 * before the first header, an empty id, and an empty file are errors naming the file and line.
 */
public final class FastaReader implements SequenceReader {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final InputFile file;
  private final BufferedReader in;
  private long lineNumber;
  private String lookahead;
  private boolean sawRecord;
  private SequenceInfo current;
  private boolean inBody;

  public FastaReader(InputFile file) throws IOException {
    this.file = file;
    this.in = new BufferedReader(new InputStreamReader(file.open(),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)), 1 << 16);
  }

  @Override
  public SequenceInfo nextSequence() throws IOException {
    String line = lookahead != null ? lookahead : readLine();
    lookahead = null;
    while (line != null && (line.isBlank() || (inBody && line.charAt(0) != '>'))) {
      line = readLine(); // blank lines, and what is left of a record that was not read to its end
    }
    inBody = false;
    if (line == null) {
      if (!sawRecord) {
        throw new InputException(file.path() + ": empty file (no FASTA records)");
      }
      return null;
    }
    if (line.charAt(0) != '>') {
      long first = lineNumber;
      inBody = true; // resynchronize at the next header
      throw new MalformedRecordException(null, file.path() + ":" + first + ": sequence data before the first '>' header"
          + " (is this a FASTA file?)", null);
    }
    sawRecord = true;
    String header = line.substring(1).strip();
    int space = firstWhitespace(header);
    String id = space < 0 ? header : header.substring(0, space);
    inBody = true;
    if (id.isEmpty()) {
      throw new MalformedRecordException(null, file.path() + ":" + lineNumber + ": header has an empty sequence id", null);
    }
    String description = space < 0 ? "" : header.substring(space).strip();
    String fields = null;
    if (!description.isEmpty()) {
      ObjectNode node = JSON.createObjectNode();
      node.put("description", description);
      fields = node.toString();
    }
    current = new SequenceInfo(id, file.path() + ":" + lineNumber, fields);
    return current;
  }

  @Override
  public boolean feedMore(Tokenizer tokenizer, TokenBuffer out) throws IOException {
    String line;
    do {
      line = readLine();
    } while (line != null && line.isBlank());
    if (line == null) {
      inBody = false;
      return false;
    }
    if (line.charAt(0) == '>') {
      lookahead = line;
      inBody = false;
      return false;
    }
    int end = line.length();
    while (end > 0 && Character.isWhitespace(line.charAt(end - 1))) {
      end--;
    }
    try {
      tokenizer.feed(line, 0, end, out);
    } catch (InvalidSymbolException e) {
      throw new MalformedRecordException(current.seqId(), file.path() + ":" + lineNumber + ":" + (e.index() + 1)
          + ": " + e.getMessage() + " in sequence '" + current.seqId() + "'", e);
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  private String readLine() throws IOException {
    try {
      String line = in.readLine();
      if (line != null) {
        lineNumber++;
      }
      return line;
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new InputException(file.path() + ":" + (lineNumber + 1) + ": not valid UTF-8 text", e);
    }
  }

  private static int firstWhitespace(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isWhitespace(s.charAt(i))) {
        return i;
      }
    }
    return -1;
  }
}
