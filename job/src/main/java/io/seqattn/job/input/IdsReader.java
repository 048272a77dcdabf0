package io.seqattn.job.input;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.tokenize.TokenBuffer;
import io.seqattn.core.tokenize.Tokenizer;
import java.io.IOException;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Token ids chosen upstream ({@code --format ids}): each record is an id and an array of
 * non-negative integers below the model's vocabulary size V, which become the sequence's tokens as
 * they are — the model's tokenizer is bypassed, so any model takes them when every id is below its
 * V (the rows of its embedding). Two sources:
 *
 * <ul>
 *   <li>JSON Lines, one object per line: the id from {@code idField} (a string or an integer), the
 *       ids from {@code idsField}, parsed by a streaming parser straight into an {@code int[]}
 *       (no boxing, no tree for the array); the other fields are passed through as in
 *       {@link JsonlReader}.
 *   <li>{@link Row}s a columnar reader hands over (Parquet, read through Spark in the plan), the ids
 *       already integers.
 * </ul>
 *
 * <p>A record whose ids are not all integers in [0, V), or that lacks either field, is a
 * {@link MalformedRecordException} naming the file, line (or row), record and the offending token
 * index (0-based, as the array is indexed), thrown once the whole record is read so the id is
 * known whatever the field order; the next record is read normally. A line that is not JSON is
 * named by its line alone, as in {@link JsonlReader}.
 */
public final class IdsReader implements SequenceReader {
  /** Ids handed to the token buffer per {@link #feedMore} call: the buffer stays near one chunk. */
  private static final int PIECE = 1 << 16;
  private static final ObjectMapper MAPPER = new ObjectMapper();
  private static final JsonFactory JSON = MAPPER.getFactory();

  /**
   * One record as a columnar reader delivers it: its id (null when missing), where it is
   * ({@code file: row R}), its ids widened to long (null when the field is null), and the index of
   * the first null element, or −1 when there is none.
   */
  public record Row(String id, String where, long[] ids, int firstNull) {}

  private final String idField;
  private final String idsField;
  private final int vocabSize;
  private final JsonLines lines;
  private final Iterator<Row> rows;

  private int[] ids = new int[1024];
  private int length;
  private int fed;
  private boolean pending;

  /** A reader of JSON Lines {@code file}. */
  public IdsReader(InputFile file, String idField, String idsField, int vocabSize) throws IOException {
    this.idField = idField;
    this.idsField = idsField;
    this.vocabSize = vocabSize;
    this.lines = new JsonLines(file);
    this.rows = null;
  }

  /** A reader of rows a columnar reader delivers; {@code idsField} names the column in messages. */
  public IdsReader(Iterator<Row> rows, String idsField, int vocabSize) {
    this.idField = null;
    this.idsField = idsField;
    this.vocabSize = vocabSize;
    this.lines = null;
    this.rows = rows;
  }

  @Override
  public SequenceInfo nextSequence() throws IOException {
    pending = false;
    SequenceInfo info = rows != null ? nextRow() : nextLine();
    if (info != null) {
      fed = 0;
      pending = true;
    }
    return info;
  }

  @Override
  public boolean feedMore(Tokenizer tokenizer, TokenBuffer out) {
    if (!pending || fed == length) {
      return false;
    }
    int to = Math.min(length, fed + PIECE);
    for (int i = fed; i < to; i++) {
      out.add(ids[i]);
    }
    fed = to;
    return true;
  }

  @Override
  public void close() throws IOException {
    if (lines != null) {
      lines.close();
    }
  }

  private SequenceInfo nextRow() {
    if (!rows.hasNext()) {
      return null;
    }
    Row row = rows.next();
    if (row.id() == null || row.id().isEmpty()) {
      throw new MalformedRecordException(null, row.where() + ": record has no id (a non-empty string or an "
          + "integer; choose the column with --id-field)", null);
    }
    if (row.ids() == null) {
      throw new MalformedRecordException(row.id(), row.where() + ": record '" + row.id() + "' has no " + fieldName()
          + " (choose the column with --ids-field)", null);
    }
    long[] values = row.ids();
    length = 0;
    int last = row.firstNull() >= 0 ? row.firstNull() : values.length;
    for (int i = 0; i < last; i++) {
      String problem = problem(i, values[i]);
      if (problem != null) {
        throw invalid(row.id(), row.where(), problem);
      }
      append((int) values[i]);
    }
    if (last < values.length) {
      throw invalid(row.id(), row.where(), notAnInteger(last, "null"));
    }
    return new SequenceInfo(row.id(), row.where(), null);
  }

  private SequenceInfo nextLine() throws IOException {
    String line = lines.next();
    if (line == null) {
      return null;
    }
    String where = lines.where();
    try (JsonParser parser = JSON.createParser(line)) {
      return parseRecord(parser, where);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException(null, where + ": not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * One JSON object: the id, the ids into {@link #ids} and the other fields as passthrough. The
   * first problem with the ids is held until the object ends, so its message can name the record.
   */
  private SequenceInfo parseRecord(JsonParser parser, String where) throws IOException {
    JsonToken start = parser.nextToken();
    if (start != JsonToken.START_OBJECT) {
      throw new MalformedRecordException(null, where + ": expected a JSON object, got "
          + (start == null ? "nothing" : describe(start)), null);
    }
    ObjectNode fields = MAPPER.createObjectNode();
    JsonNode id = null;
    String idsProblem = null;
    boolean sawIds = false;
    length = 0;
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_OBJECT; t = parser.nextToken()) {
      String name = parser.currentName();
      JsonToken value = parser.nextToken();
      if (name.equals(idsField)) {
        sawIds = true;
        length = 0;
        idsProblem = value == JsonToken.START_ARRAY ? readIds(parser)
            : "field '" + idsField + "' is " + describe(value) + ", not an array of token ids (choose the field "
                + "with --ids-field)";
        if (value != JsonToken.START_ARRAY) {
          parser.skipChildren();
        }
      } else if (name.equals(idField)) {
        id = MAPPER.readTree(parser);
      } else {
        fields.set(name, MAPPER.readTree(parser));
      }
    }
    if (parser.nextToken() != null) {
      throw new MalformedRecordException(null, where + ": not valid JSON: text after the object (one JSON value per "
          + "line)", null);
    }
    String seqId = JsonLines.recordId(id, where, idField);
    if (!sawIds) {
      throw new MalformedRecordException(seqId, where + ": record '" + seqId + "' has no " + fieldName()
          + " (choose the field with --ids-field)", null);
    }
    if (idsProblem != null) {
      throw invalid(seqId, where, idsProblem);
    }
    return new SequenceInfo(seqId, where, fields.isEmpty() ? null : fields.toString());
  }

  /**
   * Reads the array the parser is at the start of into {@link #ids}, to its end.
   *
   * @return the first problem with its elements, or null
   */
  private String readIds(JsonParser parser) throws IOException {
    String problem = null;
    int index = 0;
    for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken(), index++) {
      if (problem != null) {
        parser.skipChildren();
        continue;
      }
      if (t == JsonToken.VALUE_NUMBER_INT) {
        if (parser.getNumberType() == JsonParser.NumberType.INT) {
          int v = parser.getIntValue();
          problem = problem(index, v);
          append(v);
        } else {
          problem = parser.getText().startsWith("-") ? negative(index, parser.getText())
              : beyond(index, parser.getText());
        }
      } else {
        problem = notAnInteger(index, t == JsonToken.VALUE_STRING ? '"' + parser.getText() + '"'
            : t.isScalarValue() ? parser.getText() : describe(t));
        parser.skipChildren();
      }
    }
    return problem;
  }

  private void append(int id) {
    if (length == ids.length) {
      ids = Arrays.copyOf(ids, ids.length * 2);
    }
    ids[length++] = id;
  }

  /** What is wrong with token {@code index} of value {@code v}, or null when it is a valid id. */
  private String problem(int index, long v) {
    if (v < 0) {
      return negative(index, Long.toString(v));
    }
    return v >= vocabSize ? beyond(index, Long.toString(v)) : null;
  }

  private String beyond(int index, String value) {
    return "token " + index + " is " + value + ", beyond the model's vocabulary of " + vocabSize
        + " (re-tokenize with the model's tokenizer or use a model with a larger vocab_size)";
  }

  private static String negative(int index, String value) {
    return "token " + index + " is " + value + ", a negative id (token ids are non-negative integers; "
        + "re-tokenize with the model's tokenizer)";
  }

  private String notAnInteger(int index, String value) {
    return "token " + index + " is " + value + ", not an integer (token ids are integers in [0, " + vocabSize + "))";
  }

  private String fieldName() {
    return "ids field '" + idsField + "'";
  }

  private static MalformedRecordException invalid(String seqId, String where, String problem) {
    return new MalformedRecordException(seqId, where + ": record '" + seqId + "': " + problem, null);
  }

  private static String describe(JsonToken t) {
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.toString();
    };
  }
}
