package io.seqattn.core.stack;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.ConfigFile;
import io.seqattn.core.model.JsonFields;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * {@code config.json} of a format-2 model directory (docs/model-format-2.md) and back. Reading
 * checks every field — types, ranges, unknown keys, impossible combinations — and names the first
 * problem with its dotted path ({@code layers[1].mixer.gate.rank}); the written text is canonical
 * (stable key order and layout), as it is part of the model's fingerprint.
 */
public final class StackConfigJson {
  /** The directory layout version this class reads and writes. */
  public static final int FORMAT_VERSION = 2;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> TOP = Set.of("format", "tokenizer", "d_model", "positional", "layers",
      "final_norm", "d_out", "pool_queries");
  private static final Set<String> BLOCK = Set.of("norm", "mixer", "ffn");
  private static final Set<String> MIXER = Set.of("type", "heads", "d_key", "d_value", "feature_map", "features",
      "query_scale", "rope", "normalizer", "eps", "causal", "gate", "output_norm", "output_gate",
      "short_conv", "window");

  private StackConfigJson() {}

  public static StackConfig read(Path file) throws IOException {
    return ConfigFile.parse(file, StackConfigJson::fromJson);
  }

  /** A config from its JSON text (a config.json's content); problems name the field. */
  public static StackConfig parse(String json) {
    try {
      return fromJson(JSON.readTree(json));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not valid JSON: " + e.getOriginalMessage(), e);
    }
  }

  public static void write(StackConfig config, Path file) throws IOException {
    Files.write(file, toJson(config).getBytes(StandardCharsets.UTF_8));
  }

  static StackConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    JsonFields.rejectUnknown(root, TOP, "");
    int format = JsonFields.integer(root, "format", "format");
    if (format != FORMAT_VERSION) {
      throw new IllegalArgumentException("format " + format + " is not a stack model (format " + FORMAT_VERSION + ")");
    }
    TokenizerSpec tokenizer = TokenizerSpec.fromJson(JsonFields.required(root, "tokenizer", "tokenizer"));
    JsonNode layersNode = JsonFields.required(root, "layers", "layers");
    if (!layersNode.isArray()) {
      throw new IllegalArgumentException("'layers' must be an array of blocks");
    }
    List<BlockSpec> layers = new ArrayList<>();
    for (int i = 0; i < layersNode.size(); i++) {
      String path = "layers[" + i + "]";
      try {
        layers.add(block(layersNode.get(i), path));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(e.getMessage().startsWith(path) ? e.getMessage()
            : path + ": " + e.getMessage(), e);
      }
    }
    JsonNode finalNorm = root.get("final_norm");
    return new StackConfig(tokenizer, JsonFields.integer(root, "d_model", "d_model"),
        Positional.fromConfigName(JsonFields.text(root, "positional", "positional")), layers,
        finalNorm == null || finalNorm.isNull() ? null : norm(finalNorm, "final_norm"),
        root.has("d_out") ? JsonFields.integer(root, "d_out", "d_out") : 0,
        root.has("pool_queries") ? JsonFields.integer(root, "pool_queries", "pool_queries") : 0);
  }

  private static BlockSpec block(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new IllegalArgumentException(path + " must be an object");
    }
    JsonFields.rejectUnknown(node, BLOCK, path + ".");
    JsonNode ffn = node.get("ffn");
    return new BlockSpec(norm(JsonFields.required(node, "norm", path + ".norm"), path + ".norm"),
        mixer(JsonFields.required(node, "mixer", path + ".mixer"), path + ".mixer"),
        ffn == null || ffn.isNull() ? null : ffn(ffn, path + ".ffn"));
  }

  private static NormSpec norm(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("'" + path + "' must be an object");
    }
    JsonFields.rejectUnknown(node, Set.of("type", "eps"), path + ".");
    return new NormSpec(NormSpec.Kind.fromConfigName(JsonFields.text(node, "type", path + ".type")),
        number(node, "eps", path + ".eps", 1e-6));
  }

  private static FfnSpec ffn(JsonNode node, String path) {
    JsonFields.rejectUnknown(node, Set.of("type", "d_ff"), path + ".");
    return new FfnSpec(FfnSpec.Kind.fromConfigName(JsonFields.text(node, "type", path + ".type")),
        JsonFields.integer(node, "d_ff", path + ".d_ff"));
  }

  private static AttentionSpec mixer(JsonNode node, String path) {
    if (!node.isObject()) {
      throw new IllegalArgumentException("'" + path + "' must be an object");
    }
    JsonFields.rejectUnknown(node, MIXER, path + ".");
    String type = JsonFields.text(node, "type", path + ".type");
    if (!type.equals("linear_attention")) {
      throw new IllegalArgumentException("unknown " + path + ".type '" + type + "' (expected linear_attention)");
    }
    FeatureMap map = FeatureMaps.byName(JsonFields.text(node, "feature_map", path + ".feature_map"));
    int features = node.has("features") ? JsonFields.integer(node, "features", path + ".features") : 0;
    if (map.usesOmega() && features == 0) {
      throw new IllegalArgumentException("missing field '" + path + ".features' (the number m of random features, "
          + "required by feature map " + map.name() + ")");
    }
    String normalizer = node.has("normalizer") ? JsonFields.text(node, "normalizer", path + ".normalizer") : "z";
    if (!normalizer.equals("z") && !normalizer.equals("none")) {
      throw new IllegalArgumentException("'" + path + ".normalizer' must be z or none, got '" + normalizer + "'");
    }
    JsonNode outputNorm = node.get("output_norm");
    int heads = JsonFields.integer(node, "heads", path + ".heads");
    return new AttentionSpec(heads,
        JsonFields.integer(node, "d_key", path + ".d_key"),
        JsonFields.integer(node, "d_value", path + ".d_value"),
        map, features,
        number(node, "query_scale", path + ".query_scale", 1.0),
        bool(node, "rope", path + ".rope", false),
        normalizer.equals("z"),
        number(node, "eps", path + ".eps", 1e-6),
        bool(node, "causal", path + ".causal", false),
        gate(node.get("gate"), path + ".gate"),
        outputNorm == null || outputNorm.isNull() ? null : norm(outputNorm, path + ".output_norm"),
        bool(node, "output_gate", path + ".output_gate", false),
        shortConv(node.get("short_conv"), path + ".short_conv"),
        node.has("window") ? JsonFields.integer(node, "window", path + ".window") : 0);
  }

  private static ShortConvSpec shortConv(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("'" + path + "' must be an object ({\"kernel\": K, \"activation\": "
          + "\"silu\"}) or null");
    }
    JsonFields.rejectUnknown(node, Set.of("kernel", "activation"), path + ".");
    return new ShortConvSpec(JsonFields.integer(node, "kernel", path + ".kernel"),
        ShortConvSpec.Activation.fromConfigName(JsonFields.text(node, "activation", path + ".activation"),
            path + ".activation"));
  }

  private static GateSpec gate(JsonNode node, String path) {
    if (node == null || node.isNull()) {
      return new GateSpec.None();
    }
    if (!node.isObject()) {
      throw new IllegalArgumentException("'" + path + "' must be an object");
    }
    String type = JsonFields.text(node, "type", path + ".type");
    switch (type) {
      case "none" -> {
        JsonFields.rejectUnknown(node, Set.of("type"), path + ".");
        return new GateSpec.None();
      }
      case "constant" -> {
        JsonFields.rejectUnknown(node, Set.of("type", "decay"), path + ".");
        JsonNode decay = JsonFields.required(node, "decay", path + ".decay");
        if (!decay.isArray()) {
          throw new IllegalArgumentException("'" + path + ".decay' must be an array with one number per head");
        }
        double[] values = new double[decay.size()];
        for (int i = 0; i < values.length; i++) {
          if (!decay.get(i).isNumber()) {
            throw new IllegalArgumentException("'" + path + ".decay' entries must be numbers, got " + decay.get(i));
          }
          values[i] = decay.get(i).asDouble();
        }
        return new GateSpec.Constant(values);
      }
      case "gla" -> {
        JsonFields.rejectUnknown(node, Set.of("type", "rank", "tau"), path + ".");
        return new GateSpec.Gla(JsonFields.integer(node, "rank", path + ".rank"),
            number(node, "tau", path + ".tau", 16.0));
      }
      case "scalar" -> {
        JsonFields.rejectUnknown(node, Set.of("type"), path + ".");
        return new GateSpec.Scalar();
      }
      default -> throw new IllegalArgumentException("unknown " + path + ".type '" + type
          + "' (expected none, constant, gla or scalar)");
    }
  }

  private static double number(JsonNode node, String key, String path, double absent) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isNumber()) {
      throw new IllegalArgumentException("'" + path + "' must be a number, got " + v);
    }
    return v.asDouble();
  }

  private static boolean bool(JsonNode node, String key, String path, boolean absent) {
    JsonNode v = node.get(key);
    if (v == null || v.isNull()) {
      return absent;
    }
    if (!v.isBoolean()) {
      throw new IllegalArgumentException("'" + path + "' must be true or false, got " + v);
    }
    return v.asBoolean();
  }

  /** The canonical JSON text of a config (every field written, stable order; part of the fingerprint). */
  public static String toJson(StackConfig config) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT_VERSION);
    config.tokenizer().writeJson(root.putObject("tokenizer"));
    root.put("d_model", config.dModel());
    root.put("positional", config.positional().configName());
    ArrayNode layers = root.putArray("layers");
    for (BlockSpec b : config.layers()) {
      ObjectNode block = layers.addObject();
      writeNorm(block.putObject("norm"), b.norm());
      AttentionSpec a = b.mixer();
      ObjectNode mixer = block.putObject("mixer");
      mixer.put("type", "linear_attention");
      mixer.put("heads", a.heads());
      mixer.put("d_key", a.dKey());
      mixer.put("d_value", a.dValue());
      mixer.put("feature_map", a.featureMap().name());
      if (a.featureMap().usesOmega()) {
        mixer.put("features", a.features());
      }
      mixer.put("query_scale", a.queryScale());
      mixer.put("rope", a.rope());
      mixer.put("normalizer", a.normalizedByZ() ? "z" : "none");
      mixer.put("eps", a.eps());
      mixer.put("causal", a.causal());
      ObjectNode gate = mixer.putObject("gate");
      gate.put("type", a.gate().name());
      switch (a.gate().kind()) {
        case CONSTANT -> {
          ArrayNode decay = gate.putArray("decay");
          for (double g : ((GateSpec.Constant) a.gate()).decay()) {
            decay.add(g);
          }
        }
        case GLA -> {
          gate.put("rank", ((GateSpec.Gla) a.gate()).rank());
          gate.put("tau", ((GateSpec.Gla) a.gate()).tau());
        }
        case NONE, SCALAR -> { }
      }
      if (a.outputNorm() != null) {
        writeNorm(mixer.putObject("output_norm"), a.outputNorm());
      } else {
        mixer.putNull("output_norm");
      }
      mixer.put("output_gate", a.outputGate());
      if (a.shortConv() != null) { // written only when present: older models keep their fingerprints
        ObjectNode conv = mixer.putObject("short_conv");
        conv.put("kernel", a.shortConv().kernel());
        conv.put("activation", a.shortConv().activation().configName());
      }
      if (a.window() > 0) {
        mixer.put("window", a.window());
      }
      if (b.ffn() != null) {
        ObjectNode ffn = block.putObject("ffn");
        ffn.put("type", b.ffn().kind().configName());
        ffn.put("d_ff", b.ffn().dFf());
      } else {
        block.putNull("ffn");
      }
    }
    if (config.finalNorm() != null) {
      writeNorm(root.putObject("final_norm"), config.finalNorm());
    } else {
      root.putNull("final_norm");
    }
    root.put("d_out", config.dOut());
    if (config.poolsByAttention()) {
      // written only when used, so the text (and fingerprint) of mean-pooled models stays as it was
      root.put("pool_queries", config.poolQueries());
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void writeNorm(ObjectNode node, NormSpec norm) {
    node.put("type", norm.kind().configName());
    node.put("eps", norm.eps());
  }
}
