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
import java.io.IOException;

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
  private final JsonLines in;
  private long recordLine;
  private String text;
  private String currentId;

  public JsonlReader(InputFile file, String idField, String textField) throws IOException {
    this.file = file;
    this.idField = idField;
    this.textField = textField;
    this.in = new JsonLines(file);
  }

  @Override
  public SequenceInfo nextSequence() throws IOException {
    String line = in.next();
    if (line == null) {
      return null;
    }
    recordLine = in.lineNumber();
    String where = in.where();
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
    String id = JsonLines.recordId(node.get(idField), where, idField);
    JsonNode textNode = node.get(textField);
    if (textNode == null || !textNode.isTextual()) {
      throw new MalformedRecordException(id, where + ": record '" + id + "' has no text field '"
          + textField + "'" + (textNode == null ? "" : " of type string") + " (choose the field with --text-field)", null);
    }
    text = textNode.asText();
    currentId = id;
    ObjectNode fields = ((ObjectNode) node).deepCopy();
    fields.remove(textField);
    fields.remove(idField);
    return new SequenceInfo(id, where, fields.isEmpty() ? null : fields.toString());
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
