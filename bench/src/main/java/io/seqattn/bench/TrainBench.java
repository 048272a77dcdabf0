package io.seqattn.bench;

import io.seqattn.core.stack.BlockSpec;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackDirectory;
import io.seqattn.core.stack.StackModel;
import io.seqattn.core.train.Classifier;
import io.seqattn.core.train.MiniBatchTrainer;
import io.seqattn.core.train.NextTokenHead;
import io.seqattn.core.train.NextTokenTargets;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * One training sequence's forward and backward pass, as a Spark task of {@code seqattn train}
 * computes it ({@link MiniBatchTrainer}): the loss and the gradient of every weight, over
 * {@code tokens} random token ids in chunks of {@code chunk}. A model whose mixers are all causal
 * is trained as a DNA language model (next-base cross entropy at every position, {@code --task
 * lm}), any other as a classifier of 8 classes on the pooled output ({@code --task classify}); the
 * head's weights are drawn from seed 1. The model directory is the one the reference module's
 * {@code init} wrote, so scripts/bench-train.sh times PyTorch on the same weights.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class TrainBench {
  static final int CLASSES = 8;

  /** A format-2 model directory. */
  @Param("")
  public String model;

  @Param("8192")
  public int tokens;

  @Param("4096")
  public int chunk;

  StackConfig config;
  Map<String, float[]> tensors;
  int[] ids;
  int[] targets;

  @Setup
  public void setUp() throws IOException {
    StackModel loaded = StackDirectory.load(Path.of(model));
    config = loaded.config();
    tensors = new HashMap<>(loaded.tensors());
    int width = config.embeddingDim();
    SplittableRandom random = new SplittableRandom(1);
    int vocabulary = config.tokenizer().vocabularySize();
    ids = new int[tokens];
    for (int i = 0; i < tokens; i++) {
      ids[i] = random.nextInt(vocabulary - 1); // dna: a plain k-mer, never the "other" id
    }
    if (languageModel(config)) {
      NextTokenHead head = NextTokenHead.random(width, NextTokenTargets.BASES.length, 1);
      tensors.put(NextTokenHead.WEIGHT, head.weight());
      tensors.put(NextTokenHead.BIAS, head.bias());
      targets = NextTokenTargets.nextBase(ids, config.tokenizer().k());
    } else {
      Classifier head = Classifier.random(width, CLASSES, 1);
      tensors.put(Classifier.WEIGHT, head.weight());
      tensors.put(Classifier.BIAS, head.bias());
    }
  }

  /** Whether every mixer is causal: then the model is trained with next-token targets. */
  static boolean languageModel(StackConfig config) {
    return config.layers().stream().map(BlockSpec::mixer).allMatch(m -> m != null && m.causal());
  }

  @Benchmark
  public MiniBatchTrainer.SequenceResult forwardBackward() {
    return targets != null ? MiniBatchTrainer.nextTokenSequence(config, tensors, 0, ids, targets, chunk)
        : MiniBatchTrainer.sequence(config, tensors, 0, ids, 0, chunk);
  }
}
