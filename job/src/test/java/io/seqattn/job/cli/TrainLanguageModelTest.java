package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.job.testing.SparkTestSession;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code seqattn train --task lm} end to end on the real lambda phage genome of sample-corpus/
 * (48,502 bases): a tiny gated causal model learns, the held-out part is scored in bits per base
 * beside the Markov baselines, and the weights are the same bits for 1 and 3 partitions.
 */
class TrainLanguageModelTest {
  static final Path GENOME = Path.of("../sample-corpus/lambda_phage.fa.gz");
  static final String CONFIG = """
      {"format": 2, "tokenizer": {"type": "dna", "k": 3, "stride": 1}, "d_model": 8, "positional": "none",
       "layers": [{"norm": {"type": "rmsnorm", "eps": 1e-6},
         "mixer": {"type": "linear_attention", "heads": 2, "d_key": 4, "d_value": 4, "feature_map": "elu",
                   "query_scale": 1.0, "rope": false, "normalizer": "none", "eps": 1e-6, "causal": true,
                   "gate": {"type": "scalar"}, "output_norm": {"type": "rmsnorm", "eps": 1e-5},
                   "output_gate": false},
         "ffn": {"type": "swiglu", "d_ff": 16}}],
       "final_norm": {"type": "rmsnorm", "eps": 1e-6}, "d_out": 0}
      """;

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  static String[] train(Path config, Path out, String... more) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of("train", "--task", "lm", "--input",
        GENOME.toString(), "--config", config.toString(), "--out", out.toString(), "--segment", "4000",
        "--batch-size", "4", "--chunk-size", "1024", "--learning-rate", "0.01", "--warmup-steps", "2",
        "--eval-fraction", "0.2", "--epochs", "2"));
    all.addAll(java.util.List.of(more));
    return all.toArray(new String[0]);
  }

  @Test
  void aGenomeModelLearnsAndIsScoredAgainstMarkovModels(@TempDir Path tmp) throws Exception {
    Path config = Files.writeString(tmp.resolve("config.json"), CONFIG);
    Path out = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli(train(config, out, "--partitions", "1"));
    assertEquals(0, r.status(), r.err());
    JsonNode log = new ObjectMapper().readTree(out.resolve("train.json").toFile());
    assertEquals("lm", log.get("task").asText());
    assertEquals(10, log.get("train_segments").asInt(), "38,800 training tokens in segments of 4,000");
    assertEquals(6, log.get("steps").size(), "2 epochs of 3 steps");
    double first = log.at("/steps/0/loss").asDouble();
    double last = log.at("/steps/5/loss").asDouble();
    assertTrue(last < first, "training loss " + last + " after " + first);
    double bits = log.at("/evaluations/1/bits_per_base").asDouble();
    assertTrue(bits > 1 && bits < 3, "held-out bits per base " + bits);
    assertEquals(9699, log.at("/evaluations/1/bases").asLong(), "9,700 held-out 3-mers, each but the last predicts");
    assertEquals(8, log.at("/baseline/orders").size());
    double markov = log.at("/baseline/best_bits_per_base").asDouble();
    assertTrue(markov > 1.8 && markov < 2.0, "lambda's best Markov model, " + markov);
    StackDirectory.load(out.resolve("model"));
    JsonNode classes = new ObjectMapper().readTree(out.resolve("model/lm_head/classes.json").toFile());
    assertEquals("[\"A\",\"C\",\"G\",\"T\"]", classes.get("classes").toString());
    TrainingReportChecks.check(out, log);

    Path three = tmp.resolve("p3");
    assertEquals(0, BadInputTest.cli(train(config, three, "--partitions", "3")).status());
    TrainCommandTest.assertSameFiles(TrainCommandTest.files(out.resolve("model")),
        TrainCommandTest.files(three.resolve("model")), "1 against 3 partitions");
  }

  @Test
  void aGlobalModelOrAWordTokenizerIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    Path words = Files.writeString(tmp.resolve("words.json"), CONFIG.replace(
        "\"type\": \"dna\", \"k\": 3, \"stride\": 1", "\"type\": \"words\", \"vocab_size\": 64"));
    BadInputTest.Result r = BadInputTest.cli(train(words, tmp.resolve("a")));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("--task lm predicts the next base, so the model's tokenizer must be 'dna' with "
        + "stride 1"), r.err());
    Path global = Files.writeString(tmp.resolve("global.json"), CONFIG.replace("\"causal\": true",
        "\"causal\": false").replace("\"gate\": {\"type\": \"scalar\"},", ""));
    r = BadInputTest.cli(train(global, tmp.resolve("b")));
    assertEquals(1, r.status(), r.err());
    assertTrue(r.err().contains("layers.0.mixer is global: a language model needs causal mixers"), r.err());
    assertEquals(1, r.err().strip().lines().filter(l -> l.startsWith("seqattn: error")).count(), r.err());
  }
}
