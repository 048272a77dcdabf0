package io.seqattn.job.cli;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import org.apache.spark.network.util.JavaUtils;

/**
 * Settings a cluster job cannot run with, refused when the session starts rather than minutes later
 * as a task that is never scheduled or an executor the cluster manager kills:
 * <ul>
 *   <li>{@code spark.task.cpus} above {@code spark.executor.cores}: no executor could ever take a task.
 *   <li>On YARN and Kubernetes, which kill a container that outgrows its memory, an
 *       {@code spark.executor.memoryOverhead} below the off-heap cap ND4J is given
 *       ({@code -Dorg.bytedeco.javacpp.maxbytes} in {@code spark.executor.extraJavaOptions}): ND4J's
 *       arrays live in that overhead, so executors would die as soon as a task's arrays reach it.
 * </ul>
 * Local masters run tasks inside the driver, where neither applies.
 */
final class ClusterSettings {
  private static final Pattern MAXBYTES = Pattern.compile("-Dorg\\.bytedeco\\.javacpp\\.maxbytes=(\\S+)");
  private static final Pattern JAVACPP_SIZE = Pattern.compile("(\\d+)\\s*([kmgt]?)b?", Pattern.CASE_INSENSITIVE);

  private ClusterSettings() {}

  /** The first setting the job cannot run with on {@code master}, as a message; empty when there is none. */
  static Optional<String> problem(SparkConf conf, String master) {
    if (master == null || master.startsWith("local")) {
      return Optional.empty();
    }
    if (conf.contains("spark.executor.cores")) {
      int taskCpus = conf.getInt("spark.task.cpus", 1);
      int executorCores = conf.getInt("spark.executor.cores", 1);
      if (taskCpus > executorCores) {
        return Optional.of("spark.task.cpus=" + taskCpus + " exceeds spark.executor.cores=" + executorCores
            + ": no executor could run a task (lower spark.task.cpus or raise spark.executor.cores)");
      }
    }
    boolean containerManaged = master.startsWith("yarn") || master.startsWith("k8s://");
    Long maxBytes = maxBytes(conf.get("spark.executor.extraJavaOptions", ""));
    if (containerManaged && maxBytes != null && conf.contains("spark.executor.memoryOverhead")) {
      long overheadMb = JavaUtils.byteStringAsMb(conf.get("spark.executor.memoryOverhead"));
      if (overheadMb * (1L << 20) < maxBytes) {
        return Optional.of("spark.executor.memoryOverhead=" + conf.get("spark.executor.memoryOverhead")
            + " is below ND4J's off-heap cap org.bytedeco.javacpp.maxbytes=" + (maxBytes >> 20) + "m in "
            + "spark.executor.extraJavaOptions: " + master.replaceAll(":.*", "") + " would kill executors whose "
            + "arrays reach it (raise the overhead to the cap plus about 1g, or lower the cap)");
      }
    }
    return Optional.empty();
  }

  /** The {@code maxbytes} value in JVM options, in bytes (javacpp's syntax: a number, optional k/m/g/t), or null. */
  static Long maxBytes(String javaOptions) {
    Matcher m = MAXBYTES.matcher(javaOptions);
    if (!m.find()) {
      return null;
    }
    Matcher size = JAVACPP_SIZE.matcher(m.group(1));
    if (!size.matches()) {
      return null;
    }
    long value = Long.parseLong(size.group(1));
    int shift = switch (size.group(2).toLowerCase(Locale.ROOT)) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      case "t" -> 40;
      default -> 0;
    };
    return value << shift;
  }
}
