package io.seqattn.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;

/**
 * The {@code config.json} of a model directory as a file: read as JSON, parsed by a format's
 * reader with every complaint prefixed by the file's path, and asked which format it is, so one
 * entry point can open a directory of either format.
 */
public final class ConfigFile {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ConfigFile() {}

  /** The config of a format's reader, its {@link IllegalArgumentException}s as one-line model errors. */
  public static <T> T parse(Path file, Function<JsonNode, T> reader) throws IOException {
    JsonNode root = read(file);
    try {
      return reader.apply(root);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file + ": " + e.getMessage(), e);
    }
  }

  /** The {@code format} field of the config in model directory {@code dir}. */
  public static int format(Path dir) throws IOException {
    Path file = dir.resolve(ModelConfig.FILE_NAME);
    JsonNode root = read(file);
    if (root == null || !root.isObject()) {
      throw new ModelFormatException(file + ": expected a JSON object");
    }
    try {
      return JsonFields.integer(root, "format", "format");
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file + ": " + e.getMessage(), e);
    }
  }

  private static JsonNode read(Path file) throws IOException {
    try {
      return JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file + ": missing (a model directory needs " + ModelConfig.FILE_NAME + ")");
    } catch (JsonProcessingException e) {
      throw new ModelFormatException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
  }
}
