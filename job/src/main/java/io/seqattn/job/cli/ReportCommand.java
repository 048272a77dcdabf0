package io.seqattn.job.cli;

import io.seqattn.job.input.Storage;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.report.HtmlReport;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqattn report}: writes a run's report.html again, for instance coloured by another field. */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Writes report.html beside a run's run.json again (a run writes one itself): stage timeline, "
        + "tokens/s, sequence lengths, normalizers, and a 2-D projection of the embeddings.",
        "The page is self-contained: inline SVG, no script, nothing fetched."})
final class ReportCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory written by 'seqattn run'.")
  String run;

  @Option(names = "--color-by", paramLabel = "FIELD",
      description = "The passthrough field (JSONL record field, or FASTA description) that colours the projection "
          + "(default: the first field with 2 to 12 distinct values).")
  String colorBy;

  @Mixin
  SparkOptions spark;

  @Override
  public Integer call() throws Exception {
    try (SparkSessions.Handle session = spark.open("seqattn report", "local[1]")) {
      SparkSession ss = session.session();
      RunDirectory dir = RunDirectory.open(run, ss.sparkContext().hadoopConfiguration());
      try {
        String html = HtmlReport.render(ss, dir.location(), dir.report(), colorBy);
        Storage.writeAtomically(dir.location() + "/" + HtmlReport.FILE, html.getBytes(StandardCharsets.UTF_8));
      } catch (IllegalArgumentException e) {
        throw new SeqAttn.UserException(run + ": " + e.getMessage() + " (choose another --color-by)");
      }
      System.out.println(dir.location() + "/" + HtmlReport.FILE);
      return 0;
    }
  }
}
