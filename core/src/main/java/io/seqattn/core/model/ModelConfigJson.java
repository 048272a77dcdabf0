package io.seqattn.core.model;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code config.json} of a model directory, format {@value #FORMAT_VERSION}: {@link ModelConfig}
 * as JSON and back. {@code causal} and {@code decay} are optional (absent: global attention, no
 * decay) and written only when set; {@code features} (m) is written for random-feature maps only,
 * the elementwise ones having m = d_head — so models keep the fingerprints they had when these
 * fields did not exist. Reading checks every field (type, range, unknown keys) and reports the
 * first problem with the file and field name, so a hand-written or exported config fails at load
 * time rather than deep inside a Spark task. The written text is canonical (stable key order and
 * layout): it is part of the model's fingerprint.
 */
public final class ModelConfigJson {
  /** The version of the model directory layout this code reads and writes. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> TOP_KEYS = Set.of("format", "tokenizer", "d_model", "heads", "d_head",
      "feature_map", "positional", "eps", "causal", "decay", "features");

  private ModelConfigJson() {}

  /** Reads and checks a {@code config.json}; every problem is a {@link ModelFormatException} naming the file. */
  public static ModelConfig read(Path file) throws IOException {
    return ConfigFile.parse(file, ModelConfigJson::fromJson);
  }

  public static void write(ModelConfig config, Path file) throws IOException {
    Files.write(file, toJson(config).getBytes(StandardCharsets.UTF_8));
  }

  static ModelConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    JsonFields.rejectUnknown(root, TOP_KEYS, "");
    int format = JsonFields.integer(root, "format", "format");
    if (format != FORMAT_VERSION) {
      throw new IllegalArgumentException(format == 2
          ? "format 2 is a deep model, and this reads one-layer (format 1) models only (run deep models with "
              + "seqattn run or LinearAttentionEncoder)"
          : "format " + format + " is not supported (this seqattn reads format " + FORMAT_VERSION + ")");
    }
    TokenizerSpec tokenizer = TokenizerSpec.fromJson(JsonFields.required(root, "tokenizer", "tokenizer"));
    JsonNode epsNode = JsonFields.required(root, "eps", "eps");
    if (!epsNode.isNumber()) {
      throw new IllegalArgumentException("'eps' must be a number, got " + epsNode);
    }
    boolean causal = false;
    JsonNode causalNode = root.get("causal");
    if (causalNode != null && !causalNode.isNull()) {
      if (!causalNode.isBoolean()) {
        throw new IllegalArgumentException("'causal' must be true or false, got " + causalNode);
      }
      causal = causalNode.asBoolean();
    }
    int heads = JsonFields.integer(root, "heads", "heads");
    double[] decay = decay(root.get("decay"), heads);
    FeatureMap map = FeatureMaps.byName(JsonFields.text(root, "feature_map", "feature_map"));
    int features = 0;
    if (root.has("features") && !root.get("features").isNull()) {
      features = JsonFields.integer(root, "features", "features");
      if (features < 1) {
        throw new IllegalArgumentException("'features' must be >= 1, got " + features);
      }
    } else if (map.usesOmega()) {
      throw new IllegalArgumentException("missing field 'features' (the number m of random features, "
          + "required by feature map " + map.name() + ")");
    }
    return new ModelConfig(tokenizer,
        JsonFields.integer(root, "d_model", "d_model"),
        heads,
        JsonFields.integer(root, "d_head", "d_head"),
        map,
        Positional.fromConfigName(JsonFields.text(root, "positional", "positional")),
        epsNode.asDouble(),
        causal,
        decay,
        features);
  }

  /** {@code decay}: absent, one number for every head, or one number per head. */
  private static double[] decay(JsonNode node, int heads) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isNumber()) {
      double[] decay = new double[Math.max(heads, 0)];
      Arrays.fill(decay, node.asDouble());
      return decay;
    }
    if (!node.isArray()) {
      throw new IllegalArgumentException("'decay' must be a number or an array with one number per head, got " + node);
    }
    double[] decay = new double[node.size()];
    for (int i = 0; i < decay.length; i++) {
      if (!node.get(i).isNumber()) {
        throw new IllegalArgumentException("'decay' entries must be numbers, got " + node.get(i));
      }
      decay[i] = node.get(i).asDouble();
    }
    return decay;
  }

  /** The canonical JSON text of a config (stable key order; part of the model fingerprint). */
  public static String toJson(ModelConfig config) {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", FORMAT_VERSION);
    config.tokenizer().writeJson(root.putObject("tokenizer"));
    root.put("d_model", config.dModel());
    root.put("heads", config.heads());
    root.put("d_head", config.dHead());
    root.put("feature_map", config.featureMap().name());
    if (config.featureMap().usesOmega()) {
      root.put("features", config.features());
    }
    root.put("positional", config.positional().configName());
    root.put("eps", config.eps());
    if (config.causal()) {
      root.put("causal", true);
    }
    if (config.decay() != null) {
      ArrayNode arr = root.putArray("decay");
      for (double g : config.decay()) {
        arr.add(g);
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
