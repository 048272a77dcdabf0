package io.seqattn.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Typed reads of JSON fields for the model's config files, each failure an
 * {@link IllegalArgumentException} naming the field by its dotted path, so a reader can prefix the
 * file and the message says exactly what to fix.
 */
public final class JsonFields {
  private JsonFields() {}

  public static JsonNode required(JsonNode node, String key, String path) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field '" + path + "'");
    }
    return value;
  }

  public static String text(JsonNode node, String key, String path) {
    JsonNode value = required(node, key, path);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("'" + path + "' must be a string, got " + value);
    }
    return value.asText();
  }

  public static int integer(JsonNode node, String key, String path) {
    JsonNode value = required(node, key, path);
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException("'" + path + "' must be an integer, got " + value);
    }
    return value.asInt();
  }

  public static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
    List<String> unknown = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!known.contains(name)) {
        unknown.add(prefix + name);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("unknown field(s) " + unknown);
    }
  }
}
