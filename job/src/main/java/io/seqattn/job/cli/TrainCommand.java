package io.seqattn.job.cli;

import io.seqattn.core.train.TrainSettings;
import io.seqattn.job.train.GenomeLanguageModelRun;
import io.seqattn.job.train.HeldOutSplit;
import io.seqattn.job.train.LabelledDocuments;
import io.seqattn.job.train.TrainingRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code seqattn train}: trains a format-2 model with exact whole-sequence gradients on Spark —
 * a document classifier ({@link TrainingRun}) or a DNA language model ({@link
 * GenomeLanguageModelRun}).
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = {"Train a format-2 model with exact gradients over whole sequences, computed by Spark tasks; AdamW "
        + "with warm-up and cosine decay. --task classify: a classification head on labelled JSONL documents. "
        + "--task lm: a next-base head on a causal model over FASTA genomes (the last --eval-fraction of every "
        + "record held out and scored in bits per base against order-1..8 Markov models).",
        "Writes OUT/model (a model directory, head in OUT/model/classifier or OUT/model/lm_head), OUT/train.json "
            + "(every step and held-out evaluation) and checkpoints in OUT/checkpoints (--resume continues from the "
            + "newest)."})
final class TrainCommand implements Callable<Integer> {

  /** The training tasks. */
  enum Task {
    classify, lm
  }

  @Option(names = "--task", required = true, paramLabel = "TASK",
      description = "What to train: ${COMPLETION-CANDIDATES} (classify: a pooled embedding -> linear head -> "
          + "softmax cross entropy; lm: next-base cross entropy at every position of a causal model).")
  Task task;

  @Option(names = "--input", required = true, paramLabel = "FILE",
      description = "classify: JSONL documents; lm: FASTA (.gz accepted).")
  Path input;

  @Option(names = "--label-field", paramLabel = "F", description = "classify: string field with the class.")
  String labelField;

  @Option(names = "--segment", defaultValue = "8192", paramLabel = "N",
      description = "lm: tokens per training sequence; each training part is cut into segments of N, each with its "
          + "exact whole-segment gradient (default: ${DEFAULT-VALUE}).")
  int segment;

  @Option(names = "--text-field", defaultValue = "text", paramLabel = "F",
      description = "String field with the document text (default: ${DEFAULT-VALUE}).")
  String textField;

  @Option(names = "--id-field", defaultValue = "id", paramLabel = "F",
      description = "Field naming the document in messages (default: ${DEFAULT-VALUE}).")
  String idField;

  static final class Start {
    @Option(names = "--init", paramLabel = "DIR",
        description = "Start from this format-2 model directory: a local path or a Hadoop file system URI (hdfs://…).")
    String init;

    @Option(names = "--config", paramLabel = "FILE",
        description = "Start from seeded random weights for this format-2 config.json (see --init-seed).")
    Path config;
  }

  @ArgGroup(exclusive = true, multiplicity = "0..1")
  Start start;

  @Option(names = "--init-seed", defaultValue = "1",
      description = "Seed of the random weights of --config and of a new head (default: ${DEFAULT-VALUE}).")
  long initSeed;

  @Option(names = {"--out", "--output"}, required = true, paramLabel = "DIR", description = "Run directory.")
  Path out;

  @Option(names = "--resume", description = "Continue the run in --out from its newest checkpoint.")
  boolean resume;

  @Mixin
  TrainingOptions training;

  @Option(names = "--seed", defaultValue = "7",
      description = "Seed of the data order and the held-out split (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--chunk-size", defaultValue = "4096",
      description = "Tokens per chunk of the whole-document gradient (default: ${DEFAULT-VALUE}).")
  int chunkSize;

  @Option(names = "--eval-fraction", defaultValue = "0.2",
      description = "classify: share of each class held out; lm: the last share of every record; evaluated after "
          + "every epoch, 0 for none (default: "
          + "${DEFAULT-VALUE}).")
  double evalFraction;

  @Option(names = "--max-tokens", defaultValue = "0", paramLabel = "N",
      description = "classify: train and evaluate on every document's first N tokens, 0 for whole documents "
          + "(default: ${DEFAULT-VALUE}).")
  int maxTokens;

  @Option(names = "--checkpoint-every", defaultValue = "0",
      description = "Also checkpoint every N steps (always after every epoch; default: ${DEFAULT-VALUE}).")
  int checkpointEvery;

  @Option(names = "--partitions", defaultValue = "0",
      description = "Spread the documents over N partitions, 0 for as read; the weights do not depend on it "
          + "(default: ${DEFAULT-VALUE}).")
  int partitions;

  @Mixin
  SparkOptions sparkOptions;

  @Override
  public Integer call() throws IOException {
    if (!Files.isReadable(input)) {
      throw new SeqAttn.UserException(input + ": no such file");
    }
    if (!resume && (start == null || (start.init == null && start.config == null))) {
      throw new SeqAttn.UserException("say where training starts: --init DIR or --config FILE (or --resume)");
    }
    if (resume && start != null) {
      throw new SeqAttn.UserException("--resume continues from the run's checkpoint: drop --init/--config");
    }
    if (!(evalFraction >= 0 && evalFraction < 1)) {
      throw new SeqAttn.UserException("--eval-fraction must be in [0, 1), got " + evalFraction);
    }
    if (partitions < 0) {
      throw new SeqAttn.UserException("--partitions must be >= 0, got " + partitions);
    }
    if (checkpointEvery < 0) {
      throw new SeqAttn.UserException("--checkpoint-every must be >= 0, got " + checkpointEvery);
    }
    if (maxTokens < 0 || (maxTokens > 0 && task == Task.lm)) {
      throw new SeqAttn.UserException(task == Task.lm ? "--max-tokens is for --task classify (a language model "
          + "trains on --segment pieces of whole records)" : "--max-tokens must be >= 0, got " + maxTokens);
    }
    TrainSettings settings = training.settings(seed, chunkSize);
    if (task == Task.lm) {
      return trainLanguageModel(settings);
    }
    if (labelField == null) {
      throw new SeqAttn.UserException("--task classify needs --label-field F (the JSONL field with the class)");
    }
    TrainingRun.Options options = new TrainingRun.Options(new LabelledDocuments.Fields(input.toString(), textField,
        labelField, idField), out, initDirectory(), start == null ? null : start.config, initSeed,
        settings, HeldOutSplit.share(evalFraction), maxTokens, checkpointEvery, resume, partitions, System.err);
    try (SparkSessions.Handle session = sparkOptions.open("seqattn train", null)) {
      TrainingRun.Outcome outcome = new TrainingRun(session.session(), options).run();
      String evaluation = outcome.evaluation() == null || outcome.evaluation().sequences() == 0 ? ""
          : String.format(Locale.ROOT, "; held-out accuracy %.3f, loss %.4f over %d documents",
              outcome.evaluation().accuracy(), outcome.evaluation().loss(), outcome.evaluation().sequences());
      System.err.println("seqattn: trained " + outcome.steps() + " steps" + evaluation + "; model in "
          + outcome.model());
    }
    return 0;
  }

  /** The local directory of --init (a copy when it is on a Hadoop file system), or null. */
  private Path initDirectory() throws IOException {
    return start == null || start.init == null ? null : ModelLocation.local(start.init);
  }

  private Integer trainLanguageModel(TrainSettings settings) throws IOException {
    if (labelField != null) {
      throw new SeqAttn.UserException("--label-field is for --task classify; a language model predicts the next base");
    }
    if (segment < 2) {
      throw new SeqAttn.UserException("--segment must be >= 2 tokens, got " + segment);
    }
    GenomeLanguageModelRun.Options options = new GenomeLanguageModelRun.Options(input, out,
        initDirectory(), start == null ? null : start.config, initSeed, settings, evalFraction,
        segment, checkpointEvery, resume, partitions, System.err);
    try (SparkSessions.Handle session = sparkOptions.open("seqattn train", null)) {
      GenomeLanguageModelRun.Outcome outcome = new GenomeLanguageModelRun(session.session(), options).run();
      String evaluation = outcome.markov() == null ? ""
          : String.format(Locale.ROOT, "; held-out %.4f bits/base (best Markov model, order %d: %.4f)",
              outcome.bitsPerBase(), outcome.markov().order(), outcome.markov().bitsPerBase());
      System.err.println("seqattn: trained " + outcome.steps() + " steps" + evaluation + "; model in "
          + outcome.model());
    }
    return 0;
  }
}
