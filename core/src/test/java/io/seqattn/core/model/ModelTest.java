package io.seqattn.core.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelTest {

  static ModelConfig dnaConfig() {
    return new ModelConfig(TokenizerSpec.dna(3, 1), 64, 2, 32, FeatureMaps.ELU, Positional.SINUSOIDAL, 1e-6);
  }

  @Test
  void saveThenLoadGivesTheSameModel(@TempDir Path dir) throws Exception {
    Model model = ModelInitializer.random(dnaConfig(), 8, 7);
    ModelDirectory.save(model, dir);
    Model loaded = ModelDirectory.load(dir);
    assertEquals(model.config(), loaded.config());
    assertArrayEquals(model.embedding(), loaded.embedding());
    assertArrayEquals(model.wo(), loaded.wo());
    assertEquals(model.fingerprint(), loaded.fingerprint());
    assertEquals(8, loaded.embeddingDim());
  }

  @Test
  void sameSeedSameWeightsOtherSeedOtherFingerprint() {
    assertEquals(ModelInitializer.random(dnaConfig(), 0, 7).fingerprint(), ModelInitializer.random(dnaConfig(), 0, 7).fingerprint());
    assertNotEquals(ModelInitializer.random(dnaConfig(), 0, 7).fingerprint(), ModelInitializer.random(dnaConfig(), 0, 8).fingerprint());
  }

  @Test
  void configJsonIsTheDocumentedFormat(@TempDir Path dir) throws Exception {
    ModelDirectory.save(ModelInitializer.random(dnaConfig(), 0, 1), dir);
    String json = Files.readString(dir.resolve("config.json"));
    for (String field : new String[] {"\"format\" : 1", "\"type\" : \"dna\"", "\"k\" : 3", "\"stride\" : 1",
        "\"d_model\" : 64", "\"heads\" : 2", "\"d_head\" : 32", "\"feature_map\" : \"elu\"",
        "\"positional\" : \"sinusoidal\"", "\"eps\" : 1.0E-6"}) {
      assertTrue(json.contains(field), field + " in " + json);
    }
  }

  @Test
  void randomFeatureModelsCarryOmegaAndRefuseToLoadWithoutIt(@TempDir Path dir) throws Exception {
    ModelConfig config = dnaConfig().withFeatureMap(FeatureMaps.TRIG, 48);
    Model model = ModelInitializer.random(config, 0, 3);
    ModelDirectory.save(model, dir);
    Model loaded = ModelDirectory.load(dir);
    assertArrayEquals(model.omega(), loaded.omega());
    assertEquals(model.fingerprint(), loaded.fingerprint());
    assertArrayEquals(new int[] {2, 24, 32}, Npy.read(dir.resolve("omega.npy")).shape(), "trig: m/2 rows");
    assertTrue(Files.readString(dir.resolve("config.json")).contains("\"features\" : 48"));
    assertNotEquals(model.fingerprint(), ModelInitializer.random(config, 0, 4).fingerprint(), "ω is part of the model");

    Files.delete(dir.resolve("omega.npy"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().contains("omega.npy: missing (feature map trig needs its random rows"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> dnaConfig().withFeatureMap(FeatureMaps.TRIG, 47));
    assertThrows(IllegalArgumentException.class, () -> dnaConfig().withFeatureMap(FeatureMaps.ELU, 16));
    assertEquals(4 * 32, dnaConfig().withFeatureMap(FeatureMaps.FAVOR_PLUS, 0).features(), "default m");
  }

  @Test
  void deterministicModelsWriteNeitherFeaturesNorOmega(@TempDir Path dir) throws Exception {
    ModelDirectory.save(ModelInitializer.random(dnaConfig(), 0, 1), dir);
    assertTrue(!Files.readString(dir.resolve("config.json")).contains("features"));
    assertTrue(!Files.exists(dir.resolve("omega.npy")));
  }

  @Test
  void wrongShapeIsNamedWithTheFile(@TempDir Path dir) throws Exception {
    ModelDirectory.save(ModelInitializer.random(dnaConfig(), 0, 1), dir);
    Npy.write(dir.resolve("wk.npy"), NpyArray.ofFloats(new float[64 * 63], 64, 63));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().contains("wk.npy: shape [64, 63] does not match [d_model=64, heads*d_head=64]"),
        e.getMessage());
  }

  @Test
  void missingWeightFileIsNamed(@TempDir Path dir) throws Exception {
    ModelDirectory.save(ModelInitializer.random(dnaConfig(), 0, 1), dir);
    Files.delete(dir.resolve("embedding.npy"));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().contains("embedding.npy: missing"), e.getMessage());
  }

  @Test
  void nonFiniteWeightIsRejected(@TempDir Path dir) throws Exception {
    ModelDirectory.save(ModelInitializer.random(dnaConfig(), 0, 1), dir);
    float[] wq = new float[64 * 64];
    wq[5] = Float.NaN;
    Npy.write(dir.resolve("wq.npy"), NpyArray.ofFloats(wq, 64, 64));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelDirectory.load(dir));
    assertTrue(e.getMessage().contains("wq.npy: element 5 is NaN"), e.getMessage());
  }

  @Test
  void badConfigFieldsAreNamed(@TempDir Path dir) throws Exception {
    assertConfigError(dir, "{\"format\":1}", "missing field 'tokenizer'");
    String good = ModelConfigJson.toJson(dnaConfig());
    assertConfigError(dir, good.replace("\"elu\"", "\"softmax\""), "unknown feature map 'softmax'");
    assertConfigError(dir, good.replace("\"k\" : 3", "\"k\" : 40"), "tokenizer.k must be in [1, 15]");
    assertConfigError(dir, good.replace("\"heads\" : 2", "\"heads\" : \"two\""), "'heads' must be an integer");
    assertConfigError(dir, good.replace("\"format\" : 1", "\"format\" : 9"), "format 9 is not supported");
    assertConfigError(dir, good.replace("\"eps\"", "\"epsilon\""), "unknown field(s) [epsilon]");
    assertConfigError(dir, "{not json", "not valid JSON");
  }

  private static void assertConfigError(Path dir, String json, String expected) throws Exception {
    Path file = dir.resolve("config.json");
    Files.write(file, json.getBytes(StandardCharsets.UTF_8));
    ModelFormatException e = assertThrows(ModelFormatException.class, () -> ModelConfigJson.read(file));
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
