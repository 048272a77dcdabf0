package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.job.testing.CliProcess;
import io.seqattn.job.testing.SparkTestSession;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * seqattn train --task classify on documents whose class shows in their vocabulary: it learns, it
 * writes a complete run, its weights are the same bits for any partition count and number of
 * cores, a resumed run ends with the bits of an uninterrupted one, and bad input gets one line.
 */
class TrainCommandTest {
  static final String CONFIG = """
      {"format": 2, "tokenizer": {"type": "words", "vocab_size": 64}, "d_model": 8, "positional": "sinusoidal",
       "layers": [{"norm": {"type": "rmsnorm", "eps": 1e-6},
         "mixer": {"type": "linear_attention", "heads": 2, "d_key": 4, "d_value": 4, "feature_map": "elu",
                   "query_scale": 1.0, "rope": true, "normalizer": "z", "eps": 1e-6, "causal": false,
                   "output_norm": null, "output_gate": false},
         "ffn": {"type": "swiglu", "d_ff": 16}}],
       "final_norm": {"type": "rmsnorm", "eps": 1e-6}, "d_out": 0}
      """;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  /** 30 documents of 150 words, a quarter of them from the other class's vocabulary. */
  static Path documents(Path dir) throws IOException {
    String[][] vocab = {{"river", "stone", "valley", "rain", "forest"}, {"ledger", "tariff", "bond", "coin", "trade"}};
    StringBuilder jsonl = new StringBuilder();
    Random random = new Random(3);
    for (int d = 0; d < 30; d++) {
      int c = d % 3 == 0 ? 1 : 0;
      StringBuilder text = new StringBuilder();
      for (int w = 0; w < 150; w++) {
        String[] words = random.nextInt(4) == 0 ? vocab[1 - c] : vocab[c];
        text.append(words[random.nextInt(words.length)]).append(' ');
      }
      jsonl.append("{\"id\": \"d").append(d).append("\", \"text\": \"").append(text.toString().strip())
          .append("\", \"topic\": \"").append(c == 0 ? "nature" : "money").append("\"}\n");
    }
    return Files.writeString(dir.resolve("docs.jsonl"), jsonl);
  }

  static String[] train(Path input, Path config, Path out, String... more) {
    String[] base = {"train", "--task", "classify", "--input", input.toString(), "--label-field", "topic", "--config",
        config.toString(), "--out", out.toString(), "--batch-size", "4", "--chunk-size", "64",
        "--learning-rate", "0.01", "--warmup-steps", "3", "--eval-fraction", "0.2"};
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(base));
    all.addAll(java.util.List.of(more));
    if (!all.contains("--epochs")) {
      all.addAll(java.util.List.of("--epochs", "4"));
    }
    return all.toArray(new String[0]);
  }

  /** Every file of a model directory (and its classifier), by relative path. */
  static Map<String, byte[]> files(Path dir) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.filter(Files::isRegularFile).toList()) {
        out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
      }
    }
    return out;
  }

  static void assertSameFiles(Map<String, byte[]> want, Map<String, byte[]> got, String what) {
    assertEquals(want.keySet(), got.keySet(), what);
    want.forEach((name, bytes) -> assertArrayEquals(bytes, got.get(name), what + ": " + name));
  }

  @Test
  void trainingLearnsAndWritesACompleteRun(@TempDir Path tmp) throws Exception {
    Path config = Files.writeString(tmp.resolve("config.json"), CONFIG);
    Path out = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli(train(documents(tmp), config, out, "--epochs", "8"));
    assertEquals(0, r.status(), r.err());
    JsonNode log = new ObjectMapper().readTree(out.resolve("train.json").toFile());
    assertEquals(24, log.get("train_sequences").asInt());
    assertEquals(6, log.get("held_out_sequences").asInt());
    assertEquals(48, log.get("steps").size(), "8 epochs of 6 steps");
    assertEquals(8, log.get("evaluations").size());
    double first = log.get("steps").get(0).get("loss").asDouble();
    double last = log.at("/evaluations/7/loss").asDouble();
    assertTrue(last < 0.5 * first, "held-out loss " + last + " against the first step's " + first);
    assertEquals(1.0, log.at("/evaluations/7/accuracy").asDouble(), "separable classes");
    // every document holds every word, so IDF weighs them all near 0: the baseline is there, not good
    double baseline = log.at("/baseline/held_out_accuracy").asDouble();
    assertTrue(baseline >= 0 && baseline <= 1, log.get("baseline").toString());
    StackDirectory.load(out.resolve("model")); // a model directory every command can load
    JsonNode classes = new ObjectMapper().readTree(out.resolve("model/classifier/classes.json").toFile());
    assertEquals("[\"money\",\"nature\"]", classes.get("classes").toString());
    assertFalse(Files.exists(out.resolve("model.tmp")));
    try (Stream<Path> checkpoints = Files.list(out.resolve("checkpoints"))) {
      assertEquals(3, checkpoints.count(), "the two newest checkpoints and the pointer");
    }
    TrainingReportChecks.check(out, log);
  }

  @Test
  void theWeightsAreTheSameBitsForAnyPartitionCountAndCores(@TempDir Path tmp) throws Exception {
    Path docs = documents(tmp);
    Path config = Files.writeString(tmp.resolve("config.json"), CONFIG);
    assertEquals(0, BadInputTest.cli(train(docs, config, tmp.resolve("p1"), "--partitions", "1", "--epochs", "2"))
        .status());
    assertEquals(0, BadInputTest.cli(train(docs, config, tmp.resolve("p3"), "--partitions", "3", "--epochs", "2"))
        .status());
    CliProcess.Result one = CliProcess.run(tmp.resolve("local1.log"),
        train(docs, config, tmp.resolve("local1"), "--master", "local[1]", "--partitions", "2", "--epochs", "2"));
    assertEquals(0, one.status(), one.stderr());
    Map<String, byte[]> reference = files(tmp.resolve("p1/model"));
    assertSameFiles(reference, files(tmp.resolve("p3/model")), "1 against 3 partitions");
    assertSameFiles(reference, files(tmp.resolve("local1/model")), "local[2] against local[1] in its own JVM");
  }

  @Test
  void aResumedRunEndsWithTheBitsOfAnUninterruptedOne(@TempDir Path tmp) throws Exception {
    Path docs = documents(tmp);
    Path config = Files.writeString(tmp.resolve("config.json"), CONFIG);
    Path whole = tmp.resolve("whole");
    assertEquals(0, BadInputTest.cli(train(docs, config, whole, "--checkpoint-every", "4", "--epochs", "2")).status());
    // a run killed after its step-8 checkpoint: what it leaves is that checkpoint and the one before it
    Path killed = tmp.resolve("killed");
    copy(whole, killed);
    delete(killed.resolve("model"));
    Files.delete(killed.resolve("train.json"));
    delete(killed.resolve("checkpoints/step-00000012"));
    Files.writeString(killed.resolve("checkpoints/latest"), "step-00000008\n");
    assertTrue(Files.isDirectory(killed.resolve("checkpoints/step-00000008")));
    BadInputTest.Result r = BadInputTest.cli("train", "--task", "classify", "--input", docs.toString(),
        "--label-field", "topic", "--out", killed.toString(), "--epochs", "2", "--batch-size", "4", "--chunk-size",
        "64", "--learning-rate", "0.01", "--warmup-steps", "3", "--eval-fraction", "0.2", "--checkpoint-every", "4",
        "--resume");
    assertEquals(0, r.status(), r.err());
    assertSameFiles(files(whole.resolve("model")), files(killed.resolve("model")), "resumed against uninterrupted");
    JsonNode a = new ObjectMapper().readTree(whole.resolve("train.json").toFile());
    JsonNode b = new ObjectMapper().readTree(killed.resolve("train.json").toFile());
    assertEquals(a.get("steps").size(), b.get("steps").size());
    for (int i = 0; i < a.get("steps").size(); i++) {
      assertEquals(a.get("steps").get(i).get("loss"), b.get("steps").get(i).get("loss"), "step " + (i + 1));
    }
  }

  @Test
  void badRecordsAndForeignCheckpointsGetOneLine(@TempDir Path tmp) throws Exception {
    Path config = Files.writeString(tmp.resolve("config.json"), CONFIG);
    Path numeric = Files.writeString(tmp.resolve("numeric.jsonl"), """
        {"id": "a", "text": "river stone", "topic": "nature"}

        {"id": "b", "text": "ledger bond", "topic": 7}
        """);
    BadInputTest.Result r = BadInputTest.cli(train(numeric, config, tmp.resolve("o1")));
    assertEquals(1, r.status());
    assertEquals("seqattn: error: " + numeric + ":3: label field 'topic' is number 7, not a string", r.err().strip());
    assertFalse(Files.exists(tmp.resolve("o1/model")));

    Path missing = Files.writeString(tmp.resolve("missing.jsonl"), """
        {"id": "a", "text": "river stone", "topic": "nature"}
        {"id": "b", "text": "ledger bond"}
        """);
    r = BadInputTest.cli(train(missing, config, tmp.resolve("o2")));
    assertEquals("seqattn: error: " + missing + ":2: no label field 'topic' (every record needs one; see "
        + "--label-field)", r.err().strip());

    Path docs = documents(tmp);
    Path run = tmp.resolve("run");
    assertEquals(0, BadInputTest.cli(train(docs, config, run, "--epochs", "1")).status());
    r = BadInputTest.cli(train(docs, config, run));
    assertEquals("seqattn: error: " + run + ": exists and is not empty (choose another --out, or --resume to "
        + "continue the run it holds)", r.err().strip());
    Path other = Files.writeString(tmp.resolve("other.jsonl"), Files.readString(docs).replace("river", "rain"));
    r = BadInputTest.cli("train", "--task", "classify", "--input", other.toString(), "--label-field", "topic",
        "--out", run.toString(), "--epochs", "1", "--batch-size", "4", "--chunk-size", "64", "--learning-rate", "0.01",
        "--warmup-steps", "3", "--eval-fraction", "0.2", "--resume");
    assertEquals(1, r.status());
    assertTrue(r.err().startsWith("seqattn: error: " + run.resolve("checkpoints/step-00000006/state.json")
        + ": the checkpoint was trained on other data"), r.err());
    r = BadInputTest.cli("train", "--task", "classify", "--input", docs.toString(), "--label-field", "topic",
        "--out", run.toString(), "--epochs", "2", "--batch-size", "4", "--chunk-size", "64", "--learning-rate", "0.01",
        "--warmup-steps", "3", "--eval-fraction", "0.2", "--resume");
    assertEquals("seqattn: error: " + run.resolve("checkpoints/step-00000006/state.json") + ": the checkpoint was "
        + "trained with --epochs 1, this run asks for 2 (resume with the options of the run, or start a new --out)",
        r.err().strip());
    r = BadInputTest.cli("train", "--task", "classify", "--input", docs.toString(), "--label-field", "topic",
        "--out", tmp.resolve("nothing").toString(), "--resume");
    assertTrue(r.err().startsWith("seqattn: error: " + tmp.resolve("nothing") + ": no checkpoint to resume"), r.err());
  }

  private static void copy(Path from, Path to) throws IOException {
    try (Stream<Path> paths = Files.walk(from)) {
      for (Path p : paths.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target);
        }
      }
    }
  }

  private static void delete(Path dir) throws IOException {
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
