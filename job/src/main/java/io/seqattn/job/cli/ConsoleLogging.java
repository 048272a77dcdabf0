package io.seqattn.job.cli;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LoggerContext;

/**
 * What the console shows of logging, as {@code conf/log4j2.properties} arranges it: warnings
 * without stack traces, and none of Spark's own reports of failed tasks (seqattn prints one line
 * for those), while the log file named by the system property {@value #LOG_FILE} gets everything.
 * {@link #verbose} turns both on for the console too ({@code --verbose}).
 */
final class ConsoleLogging {
  /** The system property scripts/seqattn sets to this command's log file. */
  static final String LOG_FILE = "seqattn.log.file";

  private ConsoleLogging() {}

  /** This command's log file, or null when it was not started with one (e.g. by spark-submit). */
  static String logFile() {
    return System.getProperty(LOG_FILE);
  }

  /**
   * Shows Spark's task-failure reports and every stack trace on the console: the properties the
   * configuration reads, then a reconfiguration so they take effect. A no-op under another logging
   * backend than log4j2 core.
   */
  static void verbose() {
    System.setProperty("seqattn.console.tasks", "all");
    System.setProperty("seqattn.console.traces", "true");
    if (LogManager.getContext(false) instanceof LoggerContext context) {
      context.reconfigure();
    }
  }
}
