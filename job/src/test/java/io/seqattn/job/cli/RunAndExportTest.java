package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.testing.RunTables;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The quickstart path through the CLI: init-model, run on sample-corpus, export to NumPy. */
class RunAndExportTest {

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @Test
  void initRunExport(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    assertEquals(0, BadInputTest.cli("init-model", "--out", model.toString(), "--d-model", "16", "--heads", "2",
        "--d-head", "8", "--seed", "3").status());
    Path run = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input", TestModels.sampleCorpus().resolve("human_chrM.fa.gz").toString(),
        TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), "--format", "fasta",
        "--model", model.toString(), "--output", run.toString(), "--chunk-size", "5000", "--emit-outputs");
    assertEquals(0, r.status(), r.err());

    JsonNode report = new ObjectMapper().readTree(run.resolve("run.json").toFile());
    assertEquals(7, report.at("/counts/sequences").asInt());
    assertEquals(16_569 - 2 + 6 * (5_386 - 2), report.at("/counts/tokens").asLong());
    assertEquals(ModelDirectory.load(model).fingerprint(), report.at("/model/fingerprint").asText());
    assertTrue(report.at("/tokens_per_second").asDouble() > 0);

    long outputRows = SparkTestSession.get().read().parquet(run.resolve("outputs").toString())
        .selectExpr("sum(tokens)").first().getLong(0);
    assertEquals(report.at("/counts/tokens").asLong(), outputRows);

    Path export = tmp.resolve("export");
    r = BadInputTest.cli("export", "--run", run.toString(), "--seq-id", "MT_human", "--out", export.toString());
    assertEquals(0, r.status(), r.err());
    NpyArray s = Npy.read(export.resolve("s.npy"));
    NpyArray z = Npy.read(export.resolve("z.npy"));
    NpyArray e = Npy.read(export.resolve("embedding.npy"));
    assertArrayEquals(new int[] {2, 8, 8}, s.shape());
    assertArrayEquals(new int[] {2, 8}, z.shape());
    assertArrayEquals(new int[] {16}, e.shape());
    RunTables tables = new RunTables(SparkTestSession.get(), run);
    assertArrayEquals(tables.embeddings.get("MT_human"), e.floats());
    double[] head1 = tables.states.get("MT_human/1");
    assertArrayEquals(java.util.Arrays.copyOfRange(head1, 0, 64), java.util.Arrays.copyOfRange(s.doubles(), 64, 128));
    JsonNode meta = new ObjectMapper().readTree(export.resolve("meta.json").toFile());
    assertEquals(16_567, meta.get("tokens").asLong());

    assertTrue(!meta.get("scaled").asBoolean() && !Files.exists(export.resolve("log_scale.npy")));

    r = BadInputTest.cli("export", "--run", run.toString(), "--seq-id", "nope", "--out", export.toString());
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no sequence 'nope'"), r.err());
    assertTrue(Files.exists(export.resolve("s.npy")));
  }

  @Test
  void favorPlusStatesAreStoredScaledAndExportedAsTheStatisticsThemselves(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    assertEquals(0, BadInputTest.cli("init-model", "--out", model.toString(), "--d-model", "16", "--heads", "2",
        "--d-head", "8", "--feature-map", "favor+", "--features", "24", "--seed", "3").status());
    assertArrayEquals(new int[] {2, 24, 8}, Npy.read(model.resolve("omega.npy")).shape());
    Path run = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input",
        TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), "--format", "fasta",
        "--model", model.toString(), "--output", run.toString(), "--chunk-size", "1000");
    assertEquals(0, r.status(), r.err());
    JsonNode report = new ObjectMapper().readTree(run.resolve("run.json").toFile());
    assertEquals(0, report.at("/counts/non_positive_normalizers").asLong(), "favor+ features are positive");

    RunTables tables = new RunTables(SparkTestSession.get(), run);
    String id = tables.embeddings.keySet().iterator().next();
    Path export = tmp.resolve("export");
    r = BadInputTest.cli("export", "--run", run.toString(), "--seq-id", id, "--out", export.toString());
    assertEquals(0, r.status(), r.err());
    double c = tables.logScales.get(id + "/1");
    assertTrue(c != 0, "a favor+ state has a log-scale");
    double[] stored = tables.states.get(id + "/1");
    double[] s = Npy.read(export.resolve("s.npy")).doubles();
    for (int i = 0; i < 24 * 8; i++) {
      assertEquals(Math.exp(c) * stored[i], s[24 * 8 + i], 1e-12 * Math.abs(Math.exp(c) * stored[i]), "S[1] " + i);
    }
    assertTrue(!new ObjectMapper().readTree(export.resolve("meta.json").toFile()).get("scaled").asBoolean());
  }
}
