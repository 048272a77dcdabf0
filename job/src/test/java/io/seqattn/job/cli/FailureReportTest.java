package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.job.input.InputException;
import org.apache.spark.SparkException;
import org.junit.jupiter.api.Test;

/** The one line a failure becomes, for failures that start inside Spark tasks. */
class FailureReportTest {

  private static SparkException stageFailure(String what, Throwable cause) {
    return new SparkException("Job aborted due to stage failure: Task 0 in stage 3.0 failed 1 times, most recent "
        + "failure: " + what, cause);
  }

  @Test
  void aHeapOutOfMemoryInATaskNamesTheSettingsToChange() {
    FailureReport report = FailureReport.of(stageFailure("java.lang.OutOfMemoryError: Java heap space",
        new OutOfMemoryError("Java heap space")));
    assertTrue(report.inTask());
    assertFalse(report.unexpected());
    String line = report.line("/tmp/x.log");
    assertTrue(line.startsWith("seqattn: error: out of memory in a Spark task: "), line);
    assertTrue(line.contains("SEQATTN_HEAP") && line.contains("--partitions N") && line.contains("--chunk-size"), line);
    assertTrue(line.endsWith("[log: /tmp/x.log]"), line);
    assertEquals(1, line.lines().count());
  }

  @Test
  void anOutOfMemoryQuotedOnlyInSparksMessageIsRecognized() {
    // a task's error that did not reach the driver as a cause: only Spark's message names it
    FailureReport report = FailureReport.of(stageFailure("java.lang.OutOfMemoryError: Java heap space\n\tat ...", null));
    assertTrue(report.message().startsWith("out of memory in a Spark task"), report.message());
  }

  @Test
  void aUserErrorInATaskIsReportedByItsOwnMessage() {
    FailureReport report = FailureReport.of(stageFailure("boom",
        new InputException("in.fa:12: a header without a name (give every record an id)")));
    assertEquals("seqattn: error: in.fa:12: a header without a name (give every record an id) [log: l]",
        report.line("l"));
  }

  @Test
  void anythingElseIsAnInternalErrorPointingAtTheLog() {
    FailureReport report = FailureReport.of(new IllegalStateException("unexpected"));
    assertTrue(report.unexpected());
    assertTrue(report.line("l").contains("internal error: java.lang.IllegalStateException: unexpected"));
  }
}
