package io.seqattn.job.cli;

import io.seqattn.job.plan.RunDigest;
import io.seqattn.job.plan.RunDirectory;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqattn digest}: one line per table of a run directory with a digest of its exact contents. */
@Command(name = "digest", mixinStandardHelpOptions = true,
    description = {"Prints, for each table of a run directory (states, embeddings, outputs), its row count and a "
        + "SHA-256 of its contents, rows sorted by key and every value by its exact bits.",
        "Two runs print the same digests exactly when their tables hold bitwise the same values, whatever the "
            + "partitioning of the files: compare runs with diff."})
final class DigestCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory written by 'seqattn run'.")
  String run;

  @Mixin
  SparkOptions spark;

  @Override
  public Integer call() throws Exception {
    try (SparkSessions.Handle session = spark.open("seqattn digest", "local[1]")) {
      SparkSession ss = session.session();
      RunDirectory dir = RunDirectory.open(run, ss.sparkContext().hadoopConfiguration());
      for (RunDigest.TableDigest d : RunDigest.of(ss, dir)) {
        System.out.println(d);
      }
      return 0;
    }
  }
}
