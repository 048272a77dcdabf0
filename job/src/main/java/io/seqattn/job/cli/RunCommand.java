package io.seqattn.job.cli;

import io.seqattn.core.model.Model;
import io.seqattn.job.input.FastaOptions;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Validation;
import io.seqattn.job.plan.AttentionPlan;
import io.seqattn.job.plan.OutputDirectory;
import io.seqattn.job.plan.RunReport;
import io.seqattn.job.plan.RunSpec;
import io.seqattn.job.plan.RunStats;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqattn run}: global linear attention over every sequence of the inputs. */
@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Computes each sequence's attention state (S, z), its pooled embedding and, optionally, "
        + "every position's output, and writes them as Parquet under --output.",
        "The output directory appears only when the run succeeds."})
final class RunCommand implements Callable<Integer> {

  @Option(names = "--input", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Input files or directories (a directory contributes its files of the chosen format).")
  List<Path> inputs;

  @Option(names = "--format", required = true, paramLabel = "FORMAT",
      description = "Input format: fasta, text or jsonl (.gz accepted for all).")
  String format;

  @Option(names = "--model", required = true, paramLabel = "DIR", description = "Model directory (see init-model).")
  Path modelDir;

  @Option(names = "--output", required = true, paramLabel = "DIR", description = "Run directory to create.")
  String output;

  @Option(names = "--chunk-size", defaultValue = "65536", paramLabel = "N",
      description = "Tokens per chunk (default: ${DEFAULT-VALUE}). Results depend on it only through rounding.")
  int chunkSize;

  @Option(names = "--partitions", defaultValue = "0", paramLabel = "N",
      description = "Partitions to spread chunks over (default: Spark's default parallelism). "
          + "Results are bitwise identical for any value.")
  int partitions;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: from spark-submit, else local[*]).")
  String master;

  @Option(names = "--spark-conf", paramLabel = "FILE", description = "Spark properties file to apply.")
  Path sparkConf;

  @Option(names = "--emit-outputs", description = "Also write every position's output (outputs/).")
  boolean emitOutputs;

  @Option(names = "--overwrite", description = "Replace an existing output directory (only once the run succeeds).")
  boolean overwrite;

  @Option(names = "--validation", defaultValue = "strict", paramLabel = "MODE",
      description = "strict (default): the first malformed record stops the run with its file and line; "
          + "lenient: malformed records are skipped, counted and listed in run.json.")
  String validation;

  @Option(names = "--continue-from", paramLabel = "RUN_DIR",
      description = "Causal models: continue each input sequence from its final state stored by an earlier run "
          + "(same model); its tokens take the positions after the stored ones.")
  String continueFrom;

  @Option(names = "--attention", defaultValue = "linear", paramLabel = "KIND",
      description = "linear (default): the model's kernelized linear attention; softmax: exact softmax attention "
          + "over each whole sequence (causal for causal models), the reference linear attention approximates. "
          + "Softmax costs O(n^2) and writes no states/; sequences over 65536 tokens are refused without --force.")
  String attention;

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

  @Option(names = "--id-field", defaultValue = "id", paramLabel = "NAME",
      description = "JSONL field holding the document id (default: ${DEFAULT-VALUE}).")
  String idField;

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "NAME",
      description = "JSONL field holding the document text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Override
  public Integer call() throws Exception {
    InputFormat inputFormat = parseFormat(format);
    if (chunkSize < 1) {
      throw new SeqAttn.UserException("--chunk-size must be >= 1, got " + chunkSize);
    }
    if (partitions < 0) {
      throw new SeqAttn.UserException("--partitions must be >= 0, got " + partitions);
    }
    List<InputFile> files = expand(inputs, inputFormat);
    Model model = Model.load(modelDir);
    Validation mode;
    try {
      mode = Validation.valueOf(validation.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException("unknown --validation '" + validation + "' (expected strict or lenient)");
    }
    if ((skipN || keepSoftMask) && (inputFormat != InputFormat.FASTA
        || model.config().tokenizer().type() != io.seqattn.core.model.TokenizerSpec.Type.DNA)) {
      throw new SeqAttn.UserException((skipN ? "--skip-n" : "--keep-soft-mask")
          + " applies to FASTA input read with a dna model");
    }
    if (keepSoftMask && !emitOutputs) {
      throw new SeqAttn.UserException("--keep-soft-mask writes its flags to outputs/: add --emit-outputs");
    }
    Readers readers = new Readers(model.config().tokenizer(), chunkSize, idField, textField, mode,
        new FastaOptions(skipN, keepSoftMask));
    if (continueFrom != null) {
      if (!model.config().causal()) {
        throw new SeqAttn.UserException("--continue-from needs a causal model: a global state depends on the "
            + "whole sequence, so a global run cannot be resumed");
      }
      if (!Files.isDirectory(Path.of(continueFrom, "states"))) {
        throw new SeqAttn.UserException(continueFrom + ": not a seqattn run directory (no states/)");
      }
    }
    boolean softmax = switch (attention.toLowerCase(Locale.ROOT)) {
      case "linear" -> false;
      case "softmax" -> true;
      default -> throw new SeqAttn.UserException("unknown --attention '" + attention + "' (expected linear or softmax)");
    };
    if (softmax && model.config().decay() != null) {
      throw new SeqAttn.UserException("--attention softmax: the model has a decay, and softmax attention has no "
          + "decayed form");
    }
    if (softmax && continueFrom != null) {
      throw new SeqAttn.UserException("--attention softmax keeps no state to continue from: drop --continue-from");
    }
    if (force && !softmax) {
      throw new SeqAttn.UserException("--force applies to --attention softmax only");
    }
    RunSpec spec = new RunSpec(files, readers, model, modelDir.toString(), partitions, emitOutputs, continueFrom,
        softmax, force);

    Instant started = Instant.now();
    OutputDirectory out = null;
    try (SparkSessions.Handle session = SparkSessions.open("seqattn run", master, sparkConf)) {
      SparkSession spark = session.session();
      out = OutputDirectory.prepare(output, overwrite, spark.sparkContext().hadoopConfiguration());
      System.err.printf("seqattn: %d input file(s), model %s (%s), chunk size %d%n",
          files.size(), modelDir, model.fingerprint(), chunkSize);
      RunStats stats = new AttentionPlan(spark, spec).run(out);
      RunReport.write(out, spec, inputFormat, stats, spark, started);
      out.commit();
      System.err.printf(Locale.ROOT, "seqattn: %d sequences, %d tokens in %.1f s (%.0f tokens/s)%n",
          stats.sequences(), stats.tokens(), stats.totalSeconds(), stats.tokensPerSecond());
      if (stats.nonPositiveNormalizers() > 0) {
        System.err.printf("seqattn: warning: at %d position(s) a normalizer phi(q)'z was <= 0 (feature map %s); "
            + "their outputs are unreliable (counts.non_positive_normalizers in run.json)%n",
            stats.nonPositiveNormalizers(), model.config().featureMap());
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

  static InputFormat parseFormat(String name) {
    try {
      return InputFormat.valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException("unknown --format '" + name + "' (expected fasta, text or jsonl)");
    }
  }

  /** Input paths as files: a directory contributes its files of the format, sorted by name. */
  static List<InputFile> expand(List<Path> paths, InputFormat format) throws IOException {
    List<InputFile> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (Stream<Path> listing = Files.list(p)) {
          List<Path> matching = listing.filter(Files::isRegularFile)
              .filter(f -> format.accepts(f.getFileName().toString())).sorted().toList();
          if (matching.isEmpty()) {
            throw new SeqAttn.UserException(p + ": directory has no " + format.name().toLowerCase(Locale.ROOT)
                + " files (" + String.join(", ", format.suffixes()) + ")");
          }
          matching.forEach(f -> files.add(new InputFile(f.toAbsolutePath().toString(), format)));
        }
      } else if (Files.isReadable(p)) {
        files.add(new InputFile(p.toAbsolutePath().toString(), format));
      } else {
        throw new SeqAttn.UserException(p + ": no such file or directory");
      }
    }
    return files;
  }
}
