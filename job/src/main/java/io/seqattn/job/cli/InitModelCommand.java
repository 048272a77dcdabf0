package io.seqattn.job.cli;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code seqattn init-model}: writes a seeded random model in a documented directory format — a
 * one-layer model (format 1) from the shape options, or a deep stack (format 2) from a config file.
 */
@Command(name = "init-model", mixinStandardHelpOptions = true,
    description = {"Writes a seeded random model (config.json + .npy weights). The same seed gives the same model.",
        "One layer (format 1) from the options below, or a deep stack (format 2, docs/model-format-2.md) from "
            + "--config; with --config only --output, --seed and --overwrite apply."})
final class InitModelCommand implements Callable<Integer> {
  /** The options --config leaves meaningful; every other one describes a format-1 model. */
  private static final Set<String> WITH_CONFIG = Set.of("--output", "--config", "--seed", "--overwrite");

  @Spec
  CommandSpec commandSpec;

  @Option(names = "--config", paramLabel = "FILE",
      description = "A format-2 config (the config.json of a deep model, without weights): its layers are drawn "
          + "at random from --seed.")
  Path stackConfig;

  @Option(names = {"--output", "--out"}, required = true, paramLabel = "DIR",
      description = "Model directory to write (--out is an alias).")
  Path out;

  @Option(names = "--tokenizer", defaultValue = "dna", description = "dna, bytes, words or ids (token ids chosen upstream, read with --format ids) "
      + "(default: ${DEFAULT-VALUE}).")
  String tokenizer;

  @Option(names = "--k", defaultValue = "3", description = "k-mer length for dna (default: ${DEFAULT-VALUE}).")
  int k;

  @Option(names = "--stride", defaultValue = "1", description = "k-mer stride for dna (default: ${DEFAULT-VALUE}).")
  int stride;

  @Option(names = "--vocab-size", defaultValue = "65536",
      description = "Vocabulary size for words (hashed) and ids (default: ${DEFAULT-VALUE}).")
  int vocabSize;

  @Option(names = "--d-model", defaultValue = "64", description = "Embedding width (default: ${DEFAULT-VALUE}).")
  int dModel;

  @Option(names = "--heads", defaultValue = "2", description = "Attention heads (default: ${DEFAULT-VALUE}).")
  int heads;

  @Option(names = "--d-head", defaultValue = "32", description = "Width of each head (default: ${DEFAULT-VALUE}).")
  int dHead;

  @Option(names = "--feature-map", defaultValue = "elu",
      description = "elu, relu, identity, favor+ or trig (default: ${DEFAULT-VALUE}). favor+ and trig approximate "
          + "softmax with random features drawn into omega.npy from --seed.")
  String featureMap;

  @Option(names = "--features", defaultValue = "0", paramLabel = "M",
      description = "Random features per head for favor+ (any M >= 1) and trig (even M) "
          + "(default: 4 x d-head; the deterministic maps have M = d-head).")
  int features;

  @Option(names = "--positional", defaultValue = "sinusoidal",
      description = "sinusoidal or none (default: ${DEFAULT-VALUE}).")
  String positional;

  @Option(names = "--eps", defaultValue = "1e-6", description = "Normalizer guard (default: ${DEFAULT-VALUE}).")
  double eps;

  @Option(names = "--d-out", defaultValue = "0",
      description = "Width of an output projection wo; 0 for none (default: ${DEFAULT-VALUE}).")
  int dOut;

  @Option(names = "--causal", description = "Causal attention: position i attends to positions j <= i only.")
  boolean causal;

  @Option(names = "--decay", split = ",", paramLabel = "GAMMA",
      description = "State decay γ in (0, 1] for causal models: one value for all heads, or one per head "
          + "(comma-separated), as in RetNet. Needs --causal.")
  double[] decay;

  @Option(names = "--seed", defaultValue = "7", description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--overwrite", description = "Replace an existing model directory.")
  boolean overwrite;

  @Override
  public Integer call() throws IOException {
    if (stackConfig != null) {
      return initStack();
    }
    ModelConfig config;
    try {
      TokenizerSpec spec = switch (TokenizerSpec.Type.fromConfigName(tokenizer)) {
        case DNA -> TokenizerSpec.dna(k, stride);
        case BYTES -> TokenizerSpec.bytes();
        case WORDS -> TokenizerSpec.words(vocabSize);
        case IDS -> TokenizerSpec.ids(vocabSize);
      };
      double[] perHead = decay;
      if (decay != null && decay.length == 1 && heads > 1) {
        perHead = new double[heads];
        java.util.Arrays.fill(perHead, decay[0]);
      }
      config = new ModelConfig(spec, dModel, heads, dHead, FeatureMaps.byName(featureMap),
          Positional.fromConfigName(positional), eps, causal, perHead, features);
      if (dOut < 0) {
        throw new IllegalArgumentException("--d-out must be >= 0, got " + dOut);
      }
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException(e.getMessage());
    }
    refuseExisting();
    Model model = ModelInitializer.random(config, dOut, seed);
    ModelDirectory.save(model, out);
    System.err.printf("seqattn: wrote model %s (fingerprint %s)%n", out, model.fingerprint());
    return 0;
  }

  private int initStack() throws IOException {
    List<String> others = commandSpec.commandLine().getParseResult().matchedOptions().stream()
        .map(OptionSpec::longestName).filter(name -> !WITH_CONFIG.contains(name)).distinct().toList();
    if (!others.isEmpty()) {
      throw new SeqAttn.UserException(String.join(", ", others) + ": describe(s) a one-layer model, and --config "
          + stackConfig + " describes the whole stack (set them in the config, or drop --config)");
    }
    StackConfig config = StackConfigJson.read(stackConfig);
    refuseExisting();
    StackModel model = StackInitializer.random(config, seed);
    StackDirectory.save(model, out);
    System.err.printf("seqattn: wrote model %s (%d layers, fingerprint %s)%n", out, config.depth(),
        model.fingerprint());
    return 0;
  }

  private void refuseExisting() throws IOException {
    if (Files.exists(out) && !overwrite && !isEmptyDirectory(out)) {
      throw new SeqAttn.UserException(out + ": already exists (pass --overwrite to replace the model)");
    }
  }

  /** Whether {@code dir} is a directory with nothing in it. */
  static boolean isEmptyDirectory(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    }
  }
}
