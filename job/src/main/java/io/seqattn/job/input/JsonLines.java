package io.seqattn.job.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The records of a JSON Lines file as {@link JsonlReader} and {@link IdsReader} read them: its
 * non-blank lines with their line numbers, and the record id rule both share. A file without a
 * record and bytes that are not UTF-8 are errors naming the file (and line).
 */
final class JsonLines implements Closeable {
  private final String path;
  private final BufferedReader in;
  private long lineNumber;
  private boolean sawRecord;

  JsonLines(InputFile file) throws IOException {
    this.path = file.path();
    this.in = new BufferedReader(new InputStreamReader(file.open(),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)), 1 << 16);
  }

  /** The next non-blank line, or null at the end of the file. */
  String next() throws IOException {
    String line;
    do {
      try {
        line = in.readLine();
      } catch (CharacterCodingException e) {
        throw new InputException(path + ":" + (lineNumber + 1) + ": not valid UTF-8 text", e);
      }
      if (line != null) {
        lineNumber++;
      }
    } while (line != null && line.isBlank());
    if (line == null && !sawRecord) {
      throw new InputException(path + ": empty file (no JSON records)");
    }
    sawRecord = true;
    return line;
  }

  /** The line number of the line {@link #next} returned last. */
  long lineNumber() {
    return lineNumber;
  }

  /** {@code file:line} of the line {@link #next} returned last. */
  String where() {
    return path + ":" + lineNumber;
  }

  /**
   * The record's id: {@code id} as text when it is a non-empty string or an integer.
   *
   * @throws MalformedRecordException naming {@code where} and the field
   */
  static String recordId(JsonNode id, String where, String idField) {
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
      throw new MalformedRecordException(null, where + ": record has no " + (id == null ? "" : "usable ") + "id field '"
          + idField + "' (a non-empty string or an integer; choose the field with --id-field)", null);
    }
    return id.asText();
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
