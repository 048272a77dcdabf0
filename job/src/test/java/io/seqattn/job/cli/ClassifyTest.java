package io.seqattn.job.cli;

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
 * with whole documents, and the majority-class floor must be what the class counts say.
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
  void aMissingFieldIsNamed(@TempDir Path tmp) throws Exception {
    Path input = Files.writeString(tmp.resolve("docs.jsonl"), "{\"id\": \"a\", \"text\": \"hello\"}\n");
    BadInputTest.Result r = BadInputTest.cli("classify", "--input", input.toString(), "--label-field", "party");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no field 'party' in the records"), r.err());
  }
}
