package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.plan.RunDigest;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.testing.CliProcess;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import io.seqattn.udfs.SeqAttnKryo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose defaults say {@code spark.serializer=KryoSerializer}: the CLI adds seqattn's
 * registrator by itself and gives bitwise the results of Spark's default JavaSerializer (global
 * and causal), a configuration Kryo cannot serve is refused at start with one line, and a library
 * session with Kryo but without the registrator is refused before anything is broadcast.
 */
class KryoSerializerTest {
  static final String KRYO = "org.apache.spark.serializer.KryoSerializer";

  @TempDir Path tmp;

  @Test
  void runsUnderKryoGiveTheJavaSerializersBits() throws Exception {
    SparkSession spark = SparkTestSession.get();
    Path conf = Files.writeString(tmp.resolve("kryo.conf"), "spark.serializer=" + KRYO + "\n");
    for (String kind : List.of("global", "causal")) {
      Path model = tmp.resolve(kind + "-model");
      ModelDirectory.save((kind.equals("global") ? TestModels.dna() : TestModels.causalDna()), model);
      String[] run = {"run", "--input", TestModels.sampleCorpus().toString(), "--format", "fasta", "--model",
          model.toString(), "--chunk-size", "4096", "--partitions", "3", "--emit-outputs"};
      Path kryoRun = tmp.resolve(kind + "-kryo");
      CliProcess.Result r = CliProcess.run(tmp.resolve(kind + ".log"), concat(run, "--output", kryoRun.toString(),
          "--master", "local[2]", "--spark-conf", conf.toString()));
      assertEquals(0, r.status(), r.stderr());
      Path javaRun = tmp.resolve(kind + "-java");
      assertEquals(0, BadInputTest.cli(concat(run, "--output", javaRun.toString())).status());
      assertEquals(digest(spark, javaRun), digest(spark, kryoRun), kind + " run under Kryo");
    }
  }

  @Test
  void kryoThatMustKnowEveryClassIsRefusedAtStart() throws Exception {
    Path conf = Files.writeString(tmp.resolve("strict.conf"), "spark.serializer=" + KRYO
        + "\nspark.kryo.registrationRequired=true\n");
    Path model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    CliProcess.Result r = CliProcess.run(tmp.resolve("strict.log"), "run", "--input",
        TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), "--format", "fasta", "--model",
        model.toString(), "--output", tmp.resolve("out").toString(), "--spark-conf", conf.toString());
    assertEquals(1, r.status(), r.stderr());
    assertTrue(r.stderr().contains("seqattn: error: spark.kryo.registrationRequired=true: seqattn's rows cannot "
        + "all be registered"), r.stderr());
  }

  @Test
  void aLibrarySessionWithKryoButWithoutTheRegistratorIsRefused() {
    SparkConf kryo = new SparkConf().set("spark.serializer", KRYO);
    IllegalStateException e = assertThrows(IllegalStateException.class, () -> SeqAttnKryo.check(kryo, "f"));
    assertTrue(e.getMessage().contains("spark.kryo.registrator=io.seqattn.udfs.SeqAttnKryo"), e.getMessage());
    SeqAttnKryo.configure(kryo.set("spark.kryo.registrator", "com.example.Theirs"));
    assertEquals("com.example.Theirs,io.seqattn.udfs.SeqAttnKryo", kryo.get("spark.kryo.registrator"));
    SeqAttnKryo.check(kryo, "f"); // now accepted
  }

  private static List<String> digest(SparkSession spark, Path run) throws Exception {
    return RunDigest.of(spark, RunDirectory.open(run.toString(), spark.sparkContext().hadoopConfiguration()))
        .stream().map(RunDigest.TableDigest::toString).toList();
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
