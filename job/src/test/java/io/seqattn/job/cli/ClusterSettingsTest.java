package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.FileReader;
import java.io.Reader;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.junit.jupiter.api.Test;

/** The start-up refusals of settings a cluster job cannot run with, and that the shipped defaults pass them. */
class ClusterSettingsTest {

  @Test
  void shippedClusterDefaultsPassOnEveryManager() throws Exception {
    SparkConf conf = new SparkConf(false);
    Properties props = new Properties();
    try (Reader in = new FileReader(Path.of("..", "conf", "spark-defaults.conf").toFile())) {
      props.load(in);
    }
    props.stringPropertyNames().forEach(k -> conf.set(k, props.getProperty(k).strip()));
    for (String master : new String[] {"yarn", "k8s://https://api:6443", "spark://m:7077", "local[2]"}) {
      assertEquals(Optional.empty(), ClusterSettings.problem(conf, master), master);
    }
  }

  @Test
  void moreCpusPerTaskThanAnExecutorHasIsRefused() {
    SparkConf conf = new SparkConf(false).set("spark.executor.cores", "2").set("spark.task.cpus", "4");
    String problem = ClusterSettings.problem(conf, "spark://m:7077").orElseThrow();
    assertTrue(problem.startsWith("spark.task.cpus=4 exceeds spark.executor.cores=2"), problem);
    assertEquals(Optional.empty(), ClusterSettings.problem(conf, "local[4]"), "local tasks run in the driver");
  }

  @Test
  void anOverheadBelowTheOffHeapCapIsRefusedWhereContainersAreKilled() {
    SparkConf conf = new SparkConf(false).set("spark.executor.memoryOverhead", "2g")
        .set("spark.executor.extraJavaOptions", "-Dfoo=1 -Dorg.bytedeco.javacpp.maxbytes=3G -Dbar=2");
    String problem = ClusterSettings.problem(conf, "yarn").orElseThrow();
    assertTrue(problem.contains("memoryOverhead=2g is below ND4J's off-heap cap org.bytedeco.javacpp.maxbytes=3072m")
        && problem.contains("yarn would kill executors"), problem);
    assertTrue(ClusterSettings.problem(conf, "k8s://https://api:6443").isPresent());
    assertEquals(Optional.empty(), ClusterSettings.problem(conf, "spark://m:7077"), "standalone kills no container");
    conf.set("spark.executor.memoryOverhead", "4096");
    assertEquals(Optional.empty(), ClusterSettings.problem(conf, "yarn"), "a plain number is MiB, as Spark reads it");
  }

  @Test
  void javacppSizesReadAsJavacppReadsThem() {
    assertEquals(3L << 30, ClusterSettings.maxBytes("-Dorg.bytedeco.javacpp.maxbytes=3G"));
    assertEquals(512L << 20, ClusterSettings.maxBytes("-Xss4m -Dorg.bytedeco.javacpp.maxbytes=512m"));
    assertEquals(1000L, ClusterSettings.maxBytes("-Dorg.bytedeco.javacpp.maxbytes=1000"));
    assertEquals(null, ClusterSettings.maxBytes("-Dorg.bytedeco.javacpp.maxphysicalbytes=8G"));
  }
}
