package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.job.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * seqattn classify on documents whose class shows in their vocabulary: cross-validation must find it
 * with whole documents, and the majority-class floor must be what the class counts say; with
 * --train, a model trained on every fold's training documents finds it too, its folds partition
 * the records stratified by class, and the TF-IDF baseline is scored on the same folds.
 */
class ClassifyTest {

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @Test
  void wholeDocumentsOfSeparableClassesAreClassified(@TempDir Path tmp) throws Exception {
    String[][] vocab = {{"river", "stone", "valley", "rain", "forest"}, {"ledger", "tariff", "bond", "coin", "trade"}};
    StringBuilder jsonl = new StringBuilder();
    Random random = new Random(3);
    for (int d = 0; d < 40; d++) {
      int c = d < 24 ? 0 : 1; // 24 : 16, so the majority class is 60%
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 300; w++) {
        String[] words = random.nextInt(4) == 0 ? vocab[1 - c] : vocab[c]; // a quarter of the words are noise
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      jsonl.append("{\"doc\": \"d").append(d).append("\", \"body\": \"").append(text.toString().strip())
          .append("\", \"topic\": \"").append(c == 0 ? "nature" : "money").append("\"}\n");
    }
    Path input = Files.writeString(tmp.resolve("docs.jsonl"), jsonl);
    Path out = tmp.resolve("result.json");
    BadInputTest.Result r = BadInputTest.cli("classify", "--input", input.toString(), "--id-field", "doc",
        "--text-field", "body", "--label-field", "topic", "--folds", "4", "--max-tokens", "3", "--max-iter", "15", "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode json = new ObjectMapper().readTree(out.toFile());
    assertEquals(40, json.get("documents").asInt());
    assertEquals(24, json.at("/classes/nature").asInt());
    JsonNode results = json.get("results");
    assertEquals("majority class", results.get(0).get("variant").asText());
    assertEquals(0.6, results.get(0).get("mean").asDouble(), 1e-9, "stratified folds keep 60% in every fold");
    assertEquals("whole documents", results.get(1).get("variant").asText());
    assertTrue(results.get(1).get("mean").asDouble() >= 0.95, "whole documents: " + results.get(1));
    assertEquals("first 3 tokens", results.get(2).get("variant").asText());
    assertEquals(4, results.get(2).get("per_fold").size());
  }

  @Test
  void trainedFoldsAreScoredBesideTheBagOfWordsBaselineOnTheSameFolds(@TempDir Path tmp) throws Exception {
    Path docs = mixedVocabularies(tmp);
    Path config = Files.writeString(tmp.resolve("config.json"), TrainCommandTest.CONFIG.replace("\"vocab_size\": 64",
        "\"vocab_size\": 1024"));
    Path out = tmp.resolve("cv.json");
    Path runs = tmp.resolve("runs");
    BadInputTest.Result r = BadInputTest.cli("classify", "--train", "--input", docs.toString(), "--label-field",
        "topic", "--config", config.toString(), "--folds", "3", "--max-tokens", "4", "--epochs", "8",
        "--batch-size", "4", "--chunk-size", "64", "--learning-rate", "0.02", "--warmup-steps", "3",
        "--runs", runs.toString(), "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    JsonNode results = new ObjectMapper().readTree(out.toFile()).get("results");
    String[] variants = {"majority class", "trained seqattn, whole documents", "trained seqattn, first 4 tokens",
        "TF-IDF + LR, whole documents", "TF-IDF + LR, first 4 words"};
    assertEquals(variants.length, results.size(), results.toString());
    for (int v = 0; v < variants.length; v++) {
      assertEquals(variants[v], results.get(v).get("variant").asText());
      assertEquals(3, results.get(v).get("per_fold").size());
    }
    // 20 and 10 records dealt to 3 folds in turn: folds of 7+4, 7+3 and 6+3, the majority class "nature"
    assertEquals((7.0 / 11 + 7.0 / 10 + 6.0 / 9) / 3, results.get(0).get("mean").asDouble(), 1e-12);
    assertTrue(results.get(1).get("mean").asDouble() >= 0.9, "trained, whole documents: " + results);
    assertTrue(results.get(3).get("mean").asDouble() >= 0.9, "TF-IDF on whole documents: " + results);
    assertTrue(results.get(1).get("mean").asDouble() > results.get(2).get("mean").asDouble() + 0.1,
        "4 tokens say less than 60: " + results);
    int[] heldPerFold = new int[3];
    java.util.Set<String> heldOutIds = new java.util.HashSet<>();
    for (int f = 1; f <= 3; f++) {
      for (String variant : new String[] {"whole", "first-4"}) {
        JsonNode log = new ObjectMapper().readTree(runs.resolve("fold-" + f + "-" + variant).resolve("train.json")
            .toFile());
        assertEquals(variant.equals("whole") ? 0 : 4, log.get("max_tokens").asInt());
        assertEquals(f, log.get("fold").asInt());
        assertEquals(30, log.get("train_sequences").asInt() + log.get("held_out_sequences").asInt());
        double baseline = log.at("/baseline/held_out_accuracy").asDouble();
        double reported = results.get(variant.equals("whole") ? 3 : 4).get("per_fold").get(f - 1).asDouble();
        assertEquals(baseline, reported, 0.0, "the baseline of fold " + f + " is the one its run computed");
        heldPerFold[f - 1] = log.get("held_out_sequences").asInt();
      }
    }
    assertArrayEquals(new int[] {11, 10, 9}, heldPerFold, "the folds partition the 30 records");
  }

  /**
   * 30 documents of 60 words ("nature" 20, "money" 10): 30% from words every document uses (no
   * IDF weight), 60% from the class's 8 words and 10% from the other class's, so a word's document
   * frequency differs by class and TF-IDF has something to weigh.
   */
  private static Path mixedVocabularies(Path dir) throws java.io.IOException {
    String[] shared = {"the", "of", "and", "to", "in", "is", "that", "for"};
    String[][] vocab = {{"river", "stone", "valley", "rain", "forest", "moss", "creek", "fern"},
        {"ledger", "tariff", "bond", "coin", "trade", "loan", "price", "audit"}};
    StringBuilder jsonl = new StringBuilder();
    Random random = new Random(11);
    for (int d = 0; d < 30; d++) {
      int c = d % 3 == 0 ? 1 : 0;
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 60; w++) {
        double u = random.nextDouble();
        String[] words = u < 0.3 ? shared : u < 0.9 ? vocab[c] : vocab[1 - c];
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      jsonl.append("{\"id\": \"d").append(d).append("\", \"text\": \"").append(text.toString().strip())
          .append("\", \"topic\": \"").append(c == 0 ? "nature" : "money").append("\"}\n");
    }
    return Files.writeString(dir.resolve("mixed.jsonl"), jsonl);
  }

  @Test
  void aClassSmallerThanTheFoldsIsRefusedBeforeTraining(@TempDir Path tmp) throws Exception {
    Path docs = Files.writeString(tmp.resolve("docs.jsonl"), """
        {"id": "a", "text": "river stone", "topic": "nature"}
        {"id": "b", "text": "river rain", "topic": "nature"}
        {"id": "c", "text": "coin trade", "topic": "money"}
        {"id": "d", "text": "forest rain", "topic": "nature"}
        """);
    Path config = Files.writeString(tmp.resolve("config.json"), TrainCommandTest.CONFIG);
    BadInputTest.Result r = BadInputTest.cli("classify", "--train", "--input", docs.toString(), "--label-field",
        "topic", "--config", config.toString(), "--folds", "2");
    assertEquals(1, r.status());
    assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("seqattn: error:")).count(), r.err());
    assertTrue(r.err().contains(docs + ": class 'money' has 1 record(s), fewer than --folds 2"), r.err());
    BadInputTest.Result noStart = BadInputTest.cli("classify", "--train", "--input", docs.toString(),
        "--label-field", "topic");
    assertEquals(1, noStart.status(), noStart.err());
    assertTrue(noStart.err().contains("--train needs exactly one start: --config FILE or --init DIR"), noStart.err());
  }

  @Test
  void aMissingFieldIsNamed(@TempDir Path tmp) throws Exception {
    Path input = Files.writeString(tmp.resolve("docs.jsonl"), "{\"id\": \"a\", \"text\": \"hello\"}\n");
    BadInputTest.Result r = BadInputTest.cli("classify", "--input", input.toString(), "--label-field", "party");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no field 'party' in the records"), r.err());
  }
}
