package io.seqattn.bench;

import io.seqattn.core.network.Halo;
import io.seqattn.core.network.LayeredKernel;
import io.seqattn.core.stack.StackConfig;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
 * One block of a format-2 stack on one chunk, as the Spark job runs it between layers
 * ({@link LayeredKernel}: float32 activations in, a summary or the next activations out): pass 1
 * ({@code summarize}) and pass 2 ({@code forward}, against the state of a chunk before it). The
 * model is the config file named by {@code config} with weights drawn from seed 1, the input random
 * token ids below its vocabulary.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class StackBench {

  /** A format-2 config.json; {@link StackReport} passes scripts/reference/bench-gla4.json. */
  @Param("scripts/reference/bench-gla4.json")
  public String config;

  @Param({"16384", "65536"})
  public int chunk;

  /** The block measured (0-based); its input is the embedding's output, which is all it depends on. */
  @Param("1")
  public int layer;

  int[] tokens;
  LayeredKernel kernel;
  byte[] input;
  Object context;

  @Setup
  public void setUp() throws IOException {
    StackConfig parsed = StackConfigJson.parse(Files.readString(Path.of(config)));
    kernel = (LayeredKernel) new StackNetwork(StackInitializer.random(parsed, 1)).newKernel();
    int vocabulary = parsed.tokenizer().vocabularySize();
    SplittableRandom random = new SplittableRandom(1);
    tokens = new int[chunk];
    for (int i = 0; i < chunk; i++) {
      tokens[i] = random.nextInt(vocabulary);
    }
    input = kernel.embedded(tokens, 0);
    context = kernel.summarizeFrom(layer, input, tokens, 0, Halo.NONE);
  }

  @Benchmark
  public Object summarize() {
    return kernel.summarizeFrom(layer, input, tokens, chunk, Halo.NONE);
  }

  @Benchmark
  public byte[] forward() {
    return kernel.forward(layer, input, tokens, chunk, context, Halo.NONE);
  }
}
