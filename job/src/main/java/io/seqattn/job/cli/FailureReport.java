package io.seqattn.job.cli;

import io.seqattn.core.checkpoint.CheckpointException;
import io.seqattn.core.io.NpyFormatException;
import io.seqattn.core.model.ModelFormatException;
import io.seqattn.core.safetensors.SafetensorsFormatException;
import io.seqattn.job.input.InputException;
import io.seqattn.job.plan.OutputDirectory;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.plan.RunSpec;
import io.seqattn.job.tracks.TrackException;
import io.seqattn.job.train.TrainingException;
import io.seqattn.udfs.DuplicateSequenceException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkException;

/**
 * The one line a failed command prints, {@code seqattn: error: WHAT}, whether the failure started
 * on the driver or inside a Spark task (where Spark wraps it in a {@link SparkException}, and its
 * own reports of the failed task go to the log file, not the console). A failure the user can fix
 * is reported by its own message, which names the file, line and what to do; an out-of-memory error
 * names the settings to change; anything else is an internal error whose stack trace is in the log.
 */
record FailureReport(String message, boolean inTask, boolean unexpected) {

  /** Exceptions whose message alone tells the user what to fix. */
  private static final List<Class<? extends Throwable>> USER_ERRORS = List.of(InputException.class,
      ModelFormatException.class, NpyFormatException.class, OutputDirectory.OutputExistsException.class,
      RunDirectory.RunDirectoryException.class, RunSpec.InvalidRunException.class, DuplicateSequenceException.class,
      SeqAttn.UserException.class, SafetensorsFormatException.class, CheckpointException.class,
      TrainingException.class, TrackException.class);

  /** A user error as Spark's message quotes a task's exception it could not hand over whole. */
  private static final Pattern QUOTED_USER_ERROR = Pattern.compile(
      "(?:io\\.seqattn\\.job\\.input\\.(?:InputException|MalformedRecordException)"
          + "|io\\.seqattn\\.udfs\\.DuplicateSequenceException"
          + "|io\\.seqattn\\.core\\.model\\.ModelFormatException): ([^\\n]*)");

  static FailureReport of(Throwable failure) {
    boolean inTask = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      inTask |= t instanceof SparkException s && s.getMessage() != null && s.getMessage().contains("stage failure");
    }
    Throwable user = find(failure, USER_ERRORS);
    if (user != null) {
      return new FailureReport(user.getMessage(), inTask, false);
    }
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SparkException && t.getMessage() != null) {
        Matcher m = QUOTED_USER_ERROR.matcher(t.getMessage());
        if (m.find()) {
          return new FailureReport(m.group(1), inTask, false);
        }
      }
    }
    if (find(failure, List.of(OutOfMemoryError.class)) != null || mentions(failure, "OutOfMemoryError")) {
      return new FailureReport("out of memory" + (inTask ? " in a Spark task" : "") + ": raise the Java heap "
          + "(SEQATTN_HEAP for scripts/seqattn; spark.executor.memory / spark.driver.memory with spark-submit), "
          + "spread the chunks over more partitions (--partitions N), or lower --chunk-size", inTask, false);
    }
    if (mentions(failure, "Cannot allocate new") || mentions(failure, "Physical bytes")) {
      return new FailureReport("out of off-heap memory for ND4J" + (inTask ? " in a Spark task" : "")
          + ": raise org.bytedeco.javacpp.maxbytes / maxphysicalbytes (SEQATTN_OFFHEAP, SEQATTN_MAXPHYSICAL for "
          + "scripts/seqattn; spark.executor.extraJavaOptions and spark.executor.memoryOverhead on a cluster), or "
          + "lower --chunk-size", inTask, false);
    }
    Throwable root = failure;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return new FailureReport("internal error: " + root + " (a bug in seqattn: please report it with the log)",
        inTask, true);
  }

  /** The line to print: the message, and — for failures inside Spark tasks — where their log is. */
  String line(String logFile) {
    boolean pointAtLog = logFile != null && (inTask || unexpected);
    return "seqattn: error: " + message + (pointAtLog ? " [log: " + logFile + "]" : "");
  }

  /** Whether a file system ran out of space somewhere along the failure (ENOSPC, as Java reports it). */
  static boolean isOutOfSpace(Throwable failure) {
    return mentions(failure, "No space left on device");
  }

  private static Throwable find(Throwable failure, List<Class<? extends Throwable>> types) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      for (Class<? extends Throwable> type : types) {
        if (type.isInstance(t)) {
          return t;
        }
      }
    }
    return null;
  }

  private static boolean mentions(Throwable failure, String text) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t.getMessage() != null && t.getMessage().contains(text)) {
        return true;
      }
    }
    return false;
  }
}
