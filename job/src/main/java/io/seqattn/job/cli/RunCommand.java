package io.seqattn.job.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqattn.core.loader.NetworkDirectory;
import io.seqattn.core.mixer.Mixers;
import io.seqattn.core.model.ConfigFile;
import io.seqattn.core.model.ModelConfigJson;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelFormatException;
import io.seqattn.job.input.Validation;
import io.seqattn.job.plan.AttentionPlan;
import io.seqattn.job.plan.BetweenLayers;
import io.seqattn.job.plan.OutputDirectory;
import io.seqattn.job.plan.RunReport;
import io.seqattn.job.plan.RunSpec;
import io.seqattn.job.plan.RunStats;
import io.seqattn.job.report.HtmlReport;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqattn run}: attention over every sequence of the inputs. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Computes each sequence's attention state (S, z), its pooled embedding and, optionally, "
        + "every position's output, and writes them as Parquet under --output.",
        "The output directory appears only when the run succeeds."})
final class RunCommand implements Callable<Integer> {

  @Mixin
  InputOptions input;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "Model directory (see init-model): a local path or a Hadoop file system URI (hdfs://…).")
  String model;

  @Option(names = {"--output", "--out"}, required = true, paramLabel = "DIR",
      description = "Run directory to create (--out is an alias).")
  String output;

  @Option(names = "--chunk-size", defaultValue = "65536", paramLabel = "N",
      description = "Tokens per chunk (default: ${DEFAULT-VALUE}). Results depend on it only through rounding.")
  int chunkSize;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions to spread chunks over (default: Spark's default parallelism, or more for a large "
          + "input: one per 4 M tokens, estimated from the input's size). "
          + "Results are bitwise identical for any value.")
  int partitions;

  @Mixin
  SparkOptions spark;

  @Option(names = "--emit-outputs", description = "Also write every position's output (outputs/).")
  boolean emitOutputs;

  @Option(names = "--overwrite", description = "Replace an existing output directory (only once the run succeeds).")
  boolean overwrite;

  @Option(names = "--validation", defaultValue = "strict", paramLabel = "MODE",
      description = "strict (default): the first malformed record stops the run with its file and line; "
          + "lenient: malformed records are skipped, counted and listed in run.json.")
  Validation validation;

  @Option(names = "--continue-from", paramLabel = "RUN_DIR",
      description = "Causal models: continue each input sequence from its final state stored by an earlier run "
          + "(same model); its tokens take the positions after the stored ones.")
  String continueFrom;

  @Option(names = "--attention", defaultValue = "linear", paramLabel = "KIND",
      description = "linear (default): the model's kernelized linear attention; softmax: exact softmax attention "
          + "over each whole sequence (causal for causal models), the reference linear attention approximates. "
          + "Softmax costs O(n^2) and writes no states/; sequences over 65536 tokens are refused without --force.")
  Mixers attention;

  @Option(names = "--force", description = "With --attention softmax: run it even on sequences over 65536 tokens.")
  boolean force;

  @Option(names = "--skip-n",
      description = "FASTA with a DNA model: k-mers touching an N run are absent positions (no key, no output, "
          + "not pooled) instead of the ambiguous token; every later k-mer keeps its position.")
  boolean skipN;

  @Option(names = "--keep-soft-mask",
      description = "FASTA with a DNA model: write a soft_masked flag per position to outputs/ (true when any base "
          + "of the k-mer is lowercase) and count them in run.json. Needs --emit-outputs.")
  boolean keepSoftMask;

  @Option(names = "--output-layer", defaultValue = "0", paramLabel = "L",
      description = "Deep (format 2) models: write block L's output (1 = the first block) to outputs/ instead of the "
          + "final normed output. Embeddings always pool the final normed output.")
  int outputLayer;

  @Option(names = "--between-layers", defaultValue = "cache", paramLabel = "cache|recompute",
      description = "Deep models: keep each block's output per chunk between layer passes (cache: d float32 per "
          + "token, on local disk) or recompute it from the tokens (recompute: L(L+1)/2 block evaluations "
          + "instead of 2L, nothing stored). Same results either way. Default: ${DEFAULT-VALUE}.")
  BetweenLayers betweenLayers;

  @Option(names = "--report-color-by", paramLabel = "FIELD",
      description = "The passthrough field that colours report.html's embedding projection (default: the first "
          + "field with 2 to 12 distinct values; 'seqattn report --color-by' draws it again).")
  String reportColorBy;

  @Option(names = "--quiet",
      description = "No progress lines and no summary on standard error (warnings and errors are still shown).")
  boolean quiet;

  @Option(names = "--progress-every", defaultValue = "10", paramLabel = "SECONDS",
      description = "Seconds between progress lines of a running stage: tasks done of all, time taken, an estimate "
          + "of the time left (default: ${DEFAULT-VALUE}).")
  double progressEvery;

  @Override
  public Integer call() throws Exception {
    if (!(progressEvery > 0)) {
      throw new SeqAttn.UserException("--progress-every must be > 0 seconds, got " + progressEvery
          + " (use --quiet for no progress lines)");
    }
    var files = input.files();
    Path modelDir = ModelLocation.local(model);
    RunSpec.Builder builder = RunSpec.builder();
    try {
      if (ConfigFile.format(modelDir) == ModelConfigJson.FORMAT_VERSION && outputLayer == 0) {
        builder.model(ModelDirectory.load(modelDir), model); // run by the mixer --attention chooses
      } else {
        builder.network(NetworkDirectory.load(modelDir, outputLayer), model);
      }
    } catch (ModelFormatException e) {
      throw e;
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException(e.getMessage());
    }
    RunSpec spec = builder
        .inputs(files, input.format)
        .attention(attention)
        .chunkSize(chunkSize)
        .partitions(partitions)
        .jsonlFields(input.idField, input.textField)
        .idsField(input.idsField)
        .validation(validation)
        .fasta(skipN, keepSoftMask)
        .emitOutputs(emitOutputs)
        .continueFrom(continueFrom)
        .force(force)
        .betweenLayers(betweenLayers)
        .build();

    Instant started = Instant.now();
    OutputDirectory out = null;
    try (SparkSessions.Handle session = spark.open("seqattn run", null)) {
      SparkSession ss = session.session();
      out = OutputDirectory.prepare(output, overwrite, ss.sparkContext().hadoopConfiguration());
      if (!quiet) {
        System.err.printf("seqattn: %d input file(s), model %s (%s, %d layer(s)), chunk size %d%n",
            spec.inputs().size(), model, spec.network().fingerprint(), spec.network().depth(), chunkSize);
      }
      RunStats stats;
      try (ProgressReporter progress = quiet ? null : ProgressReporter.start(ss.sparkContext(), System.err,
          progressEvery)) {
        stats = new AttentionPlan(ss, spec).run(out);
      }
      JsonNode runJson = RunReport.write(out, spec, input.format, stats, ss, started);
      String html = report(ss, out.staging(), runJson);
      if (html != null) {
        HtmlReport.writeInto(ss, out.staging(), html);
      }
      out.commit();
      if (!quiet) {
        System.err.printf(Locale.ROOT, "seqattn: %d sequences, %d tokens in %.1f s (%.0f tokens/s)%n",
            stats.sequences(), stats.tokens(), stats.totalSeconds(), stats.tokensPerSecond());
      }
      if (stats.nonPositiveNormalizers() > 0) {
        System.err.printf("seqattn: warning: at %d position(s) a normalizer phi(q)'z was <= 0 (see the model's "
            + "feature maps); their outputs are unreliable (counts.non_positive_normalizers in run.json)%n",
            stats.nonPositiveNormalizers());
      }
      if (!stats.skipped().isEmpty()) {
        System.err.printf("seqattn: skipped %d malformed record(s), listed in run.json; the first: %s%n",
            stats.skipped().size(), stats.skipped().get(0).reason());
      }
      System.out.println(output);
      return 0;
    } catch (Exception e) { // Spark's task failures are checked SparkExceptions, thrown undeclared
      if (out != null) {
        out.abort();
      }
      if (FailureReport.isOutOfSpace(e)) {
        throw new SeqAttn.UserException(output + ": no space left on device while the run was written; nothing was "
            + "kept (free space there or choose another --output; Spark's scratch files go to spark.local.dir, "
            + "default " + System.getProperty("java.io.tmpdir") + ")");
      }
      throw e;
    }
  }

  /**
   * The run's report.html, or null when it cannot be drawn: the report is a view of the run, so a
   * --report-color-by that no sequence has, or any failure while drawing, costs a warning, never the
   * run (`seqattn report` draws it again).
   */
  private String report(SparkSession ss, String dir, JsonNode runJson) {
    try {
      try {
        return HtmlReport.render(ss, dir, runJson, reportColorBy);
      } catch (IllegalArgumentException e) {
        System.err.println("seqattn: warning: report.html: " + e.getMessage() + "; the projection is coloured by "
            + "the field chosen automatically");
        return HtmlReport.render(ss, dir, runJson, null);
      }
    } catch (RuntimeException e) {
      System.err.println("seqattn: warning: report.html could not be drawn (" + FailureReport.of(e).message()
          + "); the run is kept without it (draw it with: seqattn report --run " + output + ")");
      return null;
    }
  }
}
