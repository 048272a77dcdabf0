package io.seqattn.job.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.input.InputException;
import java.io.IOException;
import java.io.Serializable;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.SparkSession;
import scala.Tuple2;

/**
 * Labelled JSON Lines documents as training examples: every non-blank line one record with a
 * string text field, a string label field and an optional id, tokenized by the model's
 * tokenizer inside the tasks. A record without a usable label or text, or that is not JSON, ends
 * the run with {@code FILE:LINE: what is wrong}; nothing is skipped.
 */
public final class LabelledDocuments {
  private LabelledDocuments() {}

  /** One document: its position among the records, its line, id, token ids and label. */
  public record Example(int index, long line, String id, int[] ids, String label) implements Serializable {}

  /** Where the records are and which fields to read. */
  public record Fields(String input, String text, String label, String id) implements Serializable {}

  /** The examples in file order, index 0, 1, … over the non-blank lines. */
  public static JavaRDD<Example> read(SparkSession spark, Fields fields, TokenizerSpec tokenizer) {
    return records(spark, fields).map(t -> {
      Text r = t._1();
      int[] ids = tokenizer.tokenize(r.text());
      if (ids.length == 0) {
        throw new InputException(fields.input() + ":" + r.line() + ": record '" + r.id() + "' has no tokens in field '"
            + fields.text() + "' (remove the record, or fix its text)");
      }
      return new Example(t._2(), r.line(), r.id(), ids, r.label());
    });
  }

  /** A record's line, id, text and label, before tokenizing. */
  public record Text(long line, String id, String text, String label) implements Serializable {}

  /** The records in file order with their index among the non-blank lines. */
  public static JavaRDD<Tuple2<Text, Integer>> records(SparkSession spark, Fields fields) {
    JavaRDD<Tuple2<String, Long>> lines = spark.read().textFile(fields.input()).javaRDD().zipWithIndex()
        .map(t -> new Tuple2<>(t._1(), t._2() + 1)).filter(t -> !t._1().isBlank());
    return lines.zipWithIndex().map(t -> new Tuple2<>(parse(fields, t._1()._1(), t._1()._2()), (int) (long) t._2()));
  }

  static Text parse(Fields fields, String text, long line) {
    String where = fields.input() + ":" + line;
    JsonNode record;
    try {
      record = new ObjectMapper().readTree(text);
    } catch (IOException e) {
      throw new InputException(where + ": not a JSON record (" + firstLine(e.getMessage()) + ")");
    }
    if (record == null || !record.isObject()) {
      throw new InputException(where + ": not a JSON object (every line holds one record)");
    }
    String label = string(record, fields.label(), where, "label");
    String body = string(record, fields.text(), where, "text");
    JsonNode id = record.get(fields.id());
    String name = id == null || id.isNull() ? "line " + line : id.asText();
    return new Text(line, name, body, label);
  }

  private static String string(JsonNode record, String field, String where, String role) {
    JsonNode value = record.get(field);
    if (value == null || value.isNull()) {
      throw new InputException(where + ": no " + role + " field '" + field + "' (every record needs one; see --"
          + role + "-field)");
    }
    if (!value.isTextual()) {
      throw new InputException(where + ": " + role + " field '" + field + "' is " + value.getNodeType()
          .toString().toLowerCase(java.util.Locale.ROOT) + " " + value + ", not a string");
    }
    return value.asText();
  }

  private static String firstLine(String message) {
    int nl = message == null ? -1 : message.indexOf('\n');
    return nl < 0 ? String.valueOf(message) : message.substring(0, nl);
  }
}
