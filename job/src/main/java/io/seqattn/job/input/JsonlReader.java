package io.seqattn.job.input;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
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
 * JSON Lines: each non-blank line is one JSON object, one document. The id comes from
 * {@code idField} (a string or an integer), the text from {@code textField} (a string); every other
 * field is passed through to the outputs. A line that is not a JSON object, or lacks either field,
 * is an error naming the file and line.
 */
public final class JsonlReader implements SequenceReader {
  /** One JSON value per line: text after it (a second object on the same line) is an error, not dropped. */
  private static final ObjectReader JSON = new ObjectMapper().reader()
      .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final InputFile file;
  private final String idField;
  private final String textField;
  private final BufferedReader in;
  private long lineNumber;
  private long recordLine;
  private boolean sawRecord;
  private String text;
  private String currentId;

  public JsonlReader(InputFile file, String idField, String textField) throws IOException {
    this.file = file;
    this.idField = idField;
    this.textField = textField;
    this.in = new BufferedReader(new InputStreamReader(file.open(),
        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)), 1 << 16);
  }

  @Override
  public SequenceInfo nextSequence() throws IOException {
    String line;
    do {
      try {
        line = in.readLine();
      } catch (java.nio.charset.CharacterCodingException e) {
        throw new InputException(file.path() + ":" + (lineNumber + 1) + ": not valid UTF-8 text", e);
      }
      if (line != null) {
        lineNumber++;
      }
    } while (line != null && line.isBlank());
    if (line == null) {
      if (!sawRecord) {
        throw new InputException(file.path() + ": empty file (no JSON records)");
      }
      return null;
    }
    sawRecord = true;
    recordLine = lineNumber;
    String where = file.path() + ":" + lineNumber;
    JsonNode node;
    try {
      node = JSON.readTree(line);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException(null, where + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
    if (node == null || !node.isObject()) {
      throw new MalformedRecordException(null, where + ": expected a JSON object, got "
          + (node == null ? "nothing" : node.getNodeType()), null);
    }
    JsonNode id = node.get(idField);
    if (id == null || !(id.isTextual() || id.isIntegralNumber()) || id.asText().isEmpty()) {
      throw new MalformedRecordException(null, where + ": record has no " + (id == null ? "" : "usable ") + "id field '"
          + idField + "' (a non-empty string or an integer; choose the field with --id-field)", null);
    }
    JsonNode textNode = node.get(textField);
    if (textNode == null || !textNode.isTextual()) {
      throw new MalformedRecordException(id.asText(), where + ": record '" + id.asText() + "' has no text field '"
          + textField + "'" + (textNode == null ? "" : " of type string") + " (choose the field with --text-field)", null);
    }
    text = textNode.asText();
    currentId = id.asText();
    ObjectNode fields = ((ObjectNode) node).deepCopy();
    fields.remove(textField);
    fields.remove(idField);
    return new SequenceInfo(id.asText(), where, fields.isEmpty() ? null : fields.toString());
  }

  @Override
  public boolean feedMore(Tokenizer tokenizer, TokenBuffer out) {
    if (text == null) {
      return false;
    }
    String piece = text;
    text = null;
    try {
      tokenizer.feed(piece, 0, piece.length(), out);
    } catch (InvalidSymbolException e) {
      throw new MalformedRecordException(currentId, file.path() + ":" + recordLine + ": " + e.getMessage() + " at character "
          + (e.index() + 1) + " of field '" + textField + "'", e);
    }
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
