package io.seqattn.job.cli;

import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The Spark options every Spark command shares: the master and a properties file to apply. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: from spark-submit or --spark-conf, else the command's own default).")
  String master;

  @Option(names = "--spark-conf", paramLabel = "FILE", description = "Spark properties file to apply.")
  Path sparkConf;

  /** The running session, or a new one with {@code defaultMaster} unless a master is given. */
  SparkSessions.Handle open(String appName, String defaultMaster) throws IOException {
    return SparkSessions.open(appName, master == null ? defaultMaster : master, sparkConf);
  }
}
