package io.seqattn.job.testing;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The seqattn CLI in a JVM of its own, started the way scripts/seqattn starts it (conf/jvm-options,
 * conf/log4j2.properties, a log file, one BLAS thread) with the test's class path: for what only a
 * fresh process shows — the console, or a Spark configuration fixed when its context starts.
 */
public final class CliProcess {
  static final long TIMEOUT_SECONDS = 240;

  private CliProcess() {}

  /** Exit status and standard error of one run. */
  public record Result(int status, String stderr) {
    public List<String> lines() {
      return stderr.lines().toList();
    }
  }

  public static Path confDir() {
    return Path.of(System.getProperty("seqattn.conf.dir", "../conf"));
  }

  /** Runs {@code seqattn args…} with its log going to {@code logFile}. */
  public static Result run(Path logFile, String... args) throws Exception {
    Path conf = confDir();
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"),
        "@" + conf.resolve("jvm-options"),
        "-Xmx1g",
        "-Dlog4j2.configurationFile=" + conf.resolve("log4j2.properties"),
        "-Dseqattn.log.file=" + logFile,
        "-Dspark.ui.enabled=false",
        "-cp", System.getProperty("java.class.path"),
        "io.seqattn.job.cli.SeqAttn"));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    byte[] err = p.getErrorStream().readAllBytes();
    if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("seqattn " + String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
    }
    return new Result(p.exitValue(), new String(err, StandardCharsets.UTF_8));
  }
}
