package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.core.model.ModelDirectory;
import io.seqattn.job.testing.CliProcess;
import io.seqattn.job.testing.TestModels;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees on the console when a run fails inside a Spark task, in a JVM of its own started
 * as scripts/seqattn starts it (conf/jvm-options, conf/log4j2.properties, a log file): one line
 * {@code seqattn: error: FILE:LINE:COL: …} naming the log, exit status 1, none of Spark's task
 * reports or stack traces — which are in the log file — and, with {@code --verbose}, those on the
 * console too.
 */
class ConsoleOutputTest {
  @TempDir Path tmp;
  Path model;
  Path input;

  @BeforeEach
  void setUp() throws IOException {
    model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    // A gzip FASTA is read whole inside a Spark task (it cannot be indexed on the driver), so the
    // bad character at line 4, column 3 is found in a task.
    input = tmp.resolve("bad.fa.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(input))) {
      out.write(">a\nACGTACGT\n>b\nAC#TACGT\n".getBytes(StandardCharsets.US_ASCII));
    }
  }

  @Test
  void aFailureInATaskIsOneLineAndTheRestIsInTheLog() throws Exception {
    Path log = tmp.resolve("run.log");
    CliProcess.Result r = seqattn(log, "run", "--input", input.toString(), "--format", "fasta", "--model", model.toString(),
        "--output", tmp.resolve("out").toString(), "--master", "local[1]");
    assertEquals(1, r.status(), r.stderr());
    List<String> errors = r.lines().stream().filter(l -> l.contains("seqattn: error:")).toList();
    assertEquals(1, errors.size(), r.stderr());
    assertTrue(errors.get(0).endsWith("seqattn: error: " + input + ":4:3: unexpected character '#' (expected an "
        + "IUPAC nucleotide code: A C G T U R Y S W K M B D H V N) in sequence 'b' [log: " + log + "]"), r.stderr());
    for (String line : r.lines()) {
      assertFalse(line.startsWith("\tat ") || line.contains("Exception:") && !line.contains("seqattn: error:"),
          "no stack trace on the console: " + line);
      assertFalse(line.contains("Executor") || line.contains("TaskSetManager"), "no task report: " + line);
    }
    String logged = Files.readString(log);
    assertTrue(logged.contains("ERROR [Executor task launch worker"), "the task's failure is in the log");
    assertTrue(logged.contains("\tat io.seqattn."), "with its stack trace");
    assertFalse(Files.exists(tmp.resolve("out")), "no output directory");
  }

  @Test
  void verboseShowsSparksReportsOnTheConsole() throws Exception {
    CliProcess.Result r = seqattn(tmp.resolve("verbose.log"), "run", "--verbose", "--input", input.toString(), "--format", "fasta",
        "--model", model.toString(), "--output", tmp.resolve("out").toString(), "--master", "local[1]");
    assertEquals(1, r.status(), r.stderr());
    assertTrue(r.stderr().contains("ERROR Executor: Exception in task"), r.stderr());
    assertTrue(r.stderr().contains("\tat io.seqattn."), "stack traces: " + r.stderr());
    assertEquals(1, r.lines().stream().filter(l -> l.contains("seqattn: error:")).count(), r.stderr());
  }

  @Test
  void progressLinesNameTheStageAndQuietHasNone() throws Exception {
    Path genome = TestModels.sampleCorpus().resolve("lambda_phage.fa.gz");
    CliProcess.Result r = seqattn(tmp.resolve("progress.log"), "run", "--input", genome.toString(), "--format", "fasta",
        "--model", model.toString(), "--output", tmp.resolve("progress").toString(), "--master", "local[1]",
        "--chunk-size", "256", "--partitions", "8", "--progress-every", "0.02");
    assertEquals(0, r.status(), r.stderr());
    java.util.regex.Pattern progress = java.util.regex.Pattern.compile(
        "seqattn: ([a-z0-9+ -]+): (\\d+)/(\\d+) tasks, \\d+ (s|min \\d+ s)(, about .* left)?");
    List<String> lines = r.lines().stream().filter(l -> progress.matcher(l).matches()).toList();
    assertTrue(!lines.isEmpty(), "progress lines: " + r.stderr());
    for (String line : lines) {
      java.util.regex.Matcher m = progress.matcher(line);
      assertTrue(m.matches());
      assertTrue(Integer.parseInt(m.group(2)) <= Integer.parseInt(m.group(3)), line);
    }

    CliProcess.Result quiet = seqattn(tmp.resolve("quiet.log"), "run", "--quiet", "--input", genome.toString(),
        "--format", "fasta", "--model", model.toString(), "--output", tmp.resolve("quiet").toString(), "--master",
        "local[1]", "--chunk-size", "256", "--partitions", "8", "--progress-every", "0.02");
    assertEquals(0, quiet.status(), quiet.stderr());
    assertEquals(List.of(), quiet.lines().stream().filter(l -> l.startsWith("seqattn:")).toList(), "--quiet");
  }

  private CliProcess.Result seqattn(Path logFile, String... args) throws Exception {
    return CliProcess.run(logFile, args);
  }
}
