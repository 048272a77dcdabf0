package io.seqattn.job.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.job.input.Storage;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.report.HtmlReport;
import io.seqattn.job.report.TrainingReport;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code seqattn report}: writes a run's report.html again, for instance coloured by another field, or
 * a training run's from its train.json.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = {"Writes report.html beside a run's run.json again (a run writes one itself): stage timeline, "
        + "tokens/s, sequence lengths, normalizers, and a 2-D projection of the embeddings.",
        "Given the output directory of 'seqattn train', draws its loss curves from train.json instead.",
        "The page is self-contained: inline SVG, no script, nothing fetched."})
final class ReportCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "DIR",
      description = "A run directory written by 'seqattn run', or the output directory of 'seqattn train'.")
  String run;

  @Option(names = "--color-by", paramLabel = "FIELD",
      description = "The passthrough field (JSONL record field, or FASTA description) that colours the projection "
          + "(default: the first field with 2 to 12 distinct values).")
  String colorBy;

  @Mixin
  SparkOptions spark;

  @Override
  public Integer call() throws Exception {
    Path trainLog = trainingLog();
    if (trainLog != null) {
      if (colorBy != null) {
        throw new SeqAttn.UserException(run + " is a training run: --color-by colours the embeddings of a run of "
            + "'seqattn run' (drop it)");
      }
      JsonNode log;
      try {
        log = new ObjectMapper().readTree(trainLog.toFile());
      } catch (JsonProcessingException e) {
        String line = e.getLocation() == null ? "" : ":" + e.getLocation().getLineNr();
        throw new SeqAttn.UserException(trainLog + line + ": not valid JSON ("
            + e.getOriginalMessage() + "; train.json is written by 'seqattn train')");
      }
      String file = trainLog.resolveSibling(TrainingReport.FILE).toString();
      Storage.writeAtomically(file, TrainingReport.render(log).getBytes(StandardCharsets.UTF_8));
      System.out.println(file);
      return 0;
    }
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

  /** train.json of a training output directory (local, as 'seqattn train' writes them), or null. */
  private Path trainingLog() {
    if (run.contains("://")) {
      return null;
    }
    Path dir = Path.of(run);
    Path log = dir.resolve("train.json");
    return Files.isRegularFile(log) && !Files.exists(dir.resolve("run.json")) ? log : null;
  }
}
