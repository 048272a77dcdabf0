package io.seqattn.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The {@code config.json} of a model directory: everything but the weights. {@code causal} and
 * {@code decay} are optional (absent: global attention, no decay) and written only when set, so
 * global models keep their fingerprints; {@code features} (m) is written for random-feature maps
 * only, the deterministic ones having m = d_head. Reading it checks every
 * field (type, range, unknown keys) and reports the first problem with the file and field name, so
 * a hand-written or exported config fails at load time rather than deep inside a Spark task.
 */
public record ModelConfig(
    int format,
    TokenizerSpec tokenizer,
    int dModel,
    int heads,
    int dHead,
    FeatureMap featureMap,
    Positional positional,
    double eps,
    boolean causal,
    double[] decay,
    int features) implements Serializable {

  /** The version of the model directory layout this code reads and writes. */
  public static final int FORMAT_VERSION = 1;
  public static final String FILE_NAME = "config.json";

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Set<String> TOP_KEYS = Set.of("format", "tokenizer", "d_model", "heads", "d_head",
      "feature_map", "positional", "eps", "causal", "decay", "features");

  public ModelConfig {
    if (format != FORMAT_VERSION) {
      throw new IllegalArgumentException("format " + format + " is not supported (this seqattn reads format " + FORMAT_VERSION + ")");
    }
    requirePositive("d_model", dModel);
    requirePositive("heads", heads);
    requirePositive("d_head", dHead);
    if (positional == Positional.SINUSOIDAL && dModel % 2 != 0) {
      throw new IllegalArgumentException("d_model must be even for sinusoidal positions, got " + dModel);
    }
    if (!(eps >= 0) || Double.isInfinite(eps)) {
      throw new IllegalArgumentException("eps must be a finite number >= 0, got " + eps);
    }
    if (features == 0) {
      features = featureMap.usesOmega() ? DEFAULT_FEATURES_PER_D_HEAD * dHead : dHead;
    }
    featureMap.checkFeatures(features, dHead);
    if (decay != null) {
      if (!causal) {
        throw new IllegalArgumentException("decay needs causal: true (a decayed state is defined by token order)");
      }
      if (decay.length != heads) {
        throw new IllegalArgumentException("decay must have one value per head (" + heads + "), got " + decay.length);
      }
      for (double g : decay) {
        if (!(g > 0 && g <= 1)) {
          throw new IllegalArgumentException("decay values must be in (0, 1], got " + g);
        }
      }
      decay = decay.clone();
    }
  }

  /** Random-feature maps default to m = 4·d_head features. */
  public static final int DEFAULT_FEATURES_PER_D_HEAD = 4;

  /** A global (non-causal) model: the configuration of format 1 without the optional fields. */
  public ModelConfig(int format, TokenizerSpec tokenizer, int dModel, int heads, int dHead, FeatureMap featureMap,
      Positional positional, double eps) {
    this(format, tokenizer, dModel, heads, dHead, featureMap, positional, eps, false, null, 0);
  }

  /** With the default feature count (0 = the map's default). */
  public ModelConfig(int format, TokenizerSpec tokenizer, int dModel, int heads, int dHead, FeatureMap featureMap,
      Positional positional, double eps, boolean causal, double[] decay) {
    this(format, tokenizer, dModel, heads, dHead, featureMap, positional, eps, causal, decay, 0);
  }

  /** The same model made causal, with an optional per-head decay γ (null for none). */
  public ModelConfig withCausal(double[] perHeadDecay) {
    return new ModelConfig(format, tokenizer, dModel, heads, dHead, featureMap, positional, eps, true, perHeadDecay,
        features);
  }

  /** The same model with another feature map and m (0 = the map's default). */
  public ModelConfig withFeatureMap(FeatureMap map, int m) {
    return new ModelConfig(format, tokenizer, dModel, heads, dHead, map, positional, eps, causal, decay, m);
  }

  /** The same model as a global (non-causal, undecayed) one. */
  public ModelConfig asGlobal() {
    return new ModelConfig(format, tokenizer, dModel, heads, dHead, featureMap, positional, eps, false, null,
        features);
  }

  /** Per-head decay γ_h, all 1 when the model has none. */
  public double[] decayPerHead() {
    if (decay == null) {
      double[] ones = new double[heads];
      java.util.Arrays.fill(ones, 1.0);
      return ones;
    }
    return decay.clone();
  }

  @Override
  public double[] decay() {
    return decay == null ? null : decay.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ModelConfig c && format == c.format && tokenizer.equals(c.tokenizer) && dModel == c.dModel
        && heads == c.heads && dHead == c.dHead && featureMap == c.featureMap && positional == c.positional
        && Double.compare(eps, c.eps) == 0 && causal == c.causal && java.util.Arrays.equals(decay, c.decay)
        && features == c.features;
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(format, tokenizer, dModel, heads, dHead, featureMap, positional, eps, causal, features)
        * 31 + java.util.Arrays.hashCode(decay);
  }

  /** Width of the concatenated heads, heads·d_head. */
  public int innerDim() {
    return heads * dHead;
  }

  /** Feature dimension m of φ per head. */
  public int featureDim() {
    return features;
  }

  public static ModelConfig read(Path file) throws IOException {
    JsonNode root;
    try {
      root = JSON.readTree(Files.readAllBytes(file));
    } catch (NoSuchFileException e) {
      throw new ModelFormatException(file + ": missing (a model directory needs " + FILE_NAME + ")");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new ModelFormatException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
    try {
      return fromJson(root);
    } catch (IllegalArgumentException e) {
      throw new ModelFormatException(file + ": " + e.getMessage(), e);
    }
  }

  static ModelConfig fromJson(JsonNode root) {
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("expected a JSON object");
    }
    rejectUnknown(root, TOP_KEYS, "");
    JsonNode tok = required(root, "tokenizer");
    if (!tok.isObject()) {
      throw new IllegalArgumentException("'tokenizer' must be an object");
    }
    TokenizerSpec.Type type = TokenizerSpec.Type.fromConfigName(text(tok, "type"));
    TokenizerSpec spec = switch (type) {
      case DNA -> {
        rejectUnknown(tok, Set.of("type", "k", "stride"), "tokenizer.");
        yield TokenizerSpec.dna(integer(tok, "k", "tokenizer.k"),
            tok.has("stride") ? integer(tok, "stride", "tokenizer.stride") : 1);
      }
      case BYTES -> {
        rejectUnknown(tok, Set.of("type"), "tokenizer.");
        yield TokenizerSpec.bytes();
      }
      case WORDS -> {
        rejectUnknown(tok, Set.of("type", "vocab_size"), "tokenizer.");
        yield TokenizerSpec.words(integer(tok, "vocab_size", "tokenizer.vocab_size"));
      }
    };
    JsonNode epsNode = required(root, "eps");
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
    int heads = integer(root, "heads", "heads");
    double[] decay = null;
    JsonNode decayNode = root.get("decay");
    if (decayNode != null && !decayNode.isNull()) {
      if (decayNode.isNumber()) {
        decay = new double[Math.max(heads, 0)];
        java.util.Arrays.fill(decay, decayNode.asDouble());
      } else if (decayNode.isArray()) {
        decay = new double[decayNode.size()];
        for (int i = 0; i < decay.length; i++) {
          if (!decayNode.get(i).isNumber()) {
            throw new IllegalArgumentException("'decay' entries must be numbers, got " + decayNode.get(i));
          }
          decay[i] = decayNode.get(i).asDouble();
        }
      } else {
        throw new IllegalArgumentException("'decay' must be a number or an array with one number per head, got "
            + decayNode);
      }
    }
    FeatureMap map = FeatureMap.fromConfigName(text(root, "feature_map"));
    int features = 0;
    if (root.has("features") && !root.get("features").isNull()) {
      features = integer(root, "features", "features");
      if (features < 1) {
        throw new IllegalArgumentException("'features' must be >= 1, got " + features);
      }
    } else if (map.usesOmega()) {
      throw new IllegalArgumentException("missing field 'features' (the number m of random features, "
          + "required by feature map " + map.configName() + ")");
    }
    return new ModelConfig(
        integer(root, "format", "format"),
        spec,
        integer(root, "d_model", "d_model"),
        heads,
        integer(root, "d_head", "d_head"),
        map,
        Positional.fromConfigName(text(root, "positional")),
        epsNode.asDouble(),
        causal,
        decay,
        features);
  }

  public void write(Path file) throws IOException {
    Files.write(file, toJson().getBytes(java.nio.charset.StandardCharsets.UTF_8));
  }

  /** The canonical JSON text of this config (stable key order; used for the model fingerprint). */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format", format);
    ObjectNode tok = root.putObject("tokenizer");
    tok.put("type", tokenizer.type().configName());
    switch (tokenizer.type()) {
      case DNA -> {
        tok.put("k", tokenizer.k());
        tok.put("stride", tokenizer.stride());
      }
      case WORDS -> tok.put("vocab_size", tokenizer.vocabSize());
      case BYTES -> { }
    }
    root.put("d_model", dModel);
    root.put("heads", heads);
    root.put("d_head", dHead);
    root.put("feature_map", featureMap.configName());
    if (featureMap.usesOmega()) {
      root.put("features", features);
    }
    root.put("positional", positional.configName());
    root.put("eps", eps);
    if (causal) {
      root.put("causal", true);
    }
    if (decay != null) {
      com.fasterxml.jackson.databind.node.ArrayNode arr = root.putArray("decay");
      for (double g : decay) {
        arr.add(g);
      }
    }
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void requirePositive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be >= 1, got " + value);
    }
  }

  private static JsonNode required(JsonNode node, String key) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field '" + key + "'");
    }
    return value;
  }

  private static String text(JsonNode node, String key) {
    JsonNode value = required(node, key);
    if (!value.isTextual()) {
      throw new IllegalArgumentException("'" + key + "' must be a string, got " + value);
    }
    return value.asText();
  }

  private static int integer(JsonNode node, String key, String path) {
    JsonNode value = node.get(key);
    if (value == null || value.isNull()) {
      throw new IllegalArgumentException("missing field '" + path + "'");
    }
    if (!value.isIntegralNumber() || !value.canConvertToInt()) {
      throw new IllegalArgumentException("'" + path + "' must be an integer, got " + value);
    }
    return value.asInt();
  }

  private static void rejectUnknown(JsonNode node, Set<String> known, String prefix) {
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
