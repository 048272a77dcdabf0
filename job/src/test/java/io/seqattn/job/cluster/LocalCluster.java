package io.seqattn.job.cluster;

import io.seqattn.udfs.FaultInjection;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.sql.SparkSession;

/**
 * A real multi-process Spark cluster inside the test JVM: {@code local-cluster[2,1,1024]} runs a
 * master and two workers in this JVM, and each worker launches its executor as a separate JVM —
 * so rows cross process boundaries, ND4J loads natively in each executor, and an executor can be
 * killed. No Spark distribution is needed: as in Spark's own tests, {@code spark.testing} and
 * {@code spark.test.home} point the workers at a home whose {@code jars/} is empty, and executors
 * get this JVM's class path instead.
 */
final class LocalCluster {
  private LocalCluster() {}

  /**
   * Starts the cluster session (it becomes the default session, which the CLI reuses).
   *
   * @param work a directory for the fake Spark home and the executors' javacpp caches
   * @param faultDir the directory of the {@link FaultInjection} hook, passed to every executor
   */
  static SparkSession start(Path work, Path faultDir) throws IOException {
    Path home = Files.createDirectories(work.resolve("spark-home/jars"));
    System.setProperty("spark.testing", "true");
    System.setProperty("spark.test.home", home.getParent().toString());
    String executorOptions = String.join(" ",
        "-Dorg.bytedeco.javacpp.maxbytes=1G",
        "-Dorg.bytedeco.javacpp.maxphysicalbytes=2G",
        // one javacpp cache per executor: JVMs on one host race when they unpack natives into one
        "-Dorg.bytedeco.javacpp.cachedir=" + work.resolve("javacpp-{{EXECUTOR_ID}}"),
        "-D" + FaultInjection.PROPERTY + "=" + faultDir);
    return SparkSession.builder()
        .master("local-cluster[2,1,1024]")
        .appName("seqattn-cluster-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.executor.memory", "768m")
        .config("spark.executor.extraClassPath", System.getProperty("java.class.path"))
        .config("spark.executor.extraJavaOptions", executorOptions)
        .config("spark.executorEnv.OMP_NUM_THREADS", "1")
        .config("spark.executorEnv.SPARK_SCALA_VERSION", "2.13")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate();
  }

  /**
   * The executor JVMs this test JVM has launched (through its in-process workers), found by their
   * main class in /proc/PID/cmdline: ProcessHandle.Info cuts command lines at 4 KiB, and an
   * executor's class path is far longer.
   */
  static List<ProcessHandle> executors() {
    return ProcessHandle.current().descendants().filter(LocalCluster::isExecutor).toList();
  }

  private static boolean isExecutor(ProcessHandle p) {
    try {
      byte[] cmdline = Files.readAllBytes(Path.of("/proc", String.valueOf(p.pid()), "cmdline"));
      return new String(cmdline, java.nio.charset.StandardCharsets.UTF_8).contains("CoarseGrainedExecutorBackend");
    } catch (IOException e) {
      return false; // exited meanwhile
    }
  }
}
