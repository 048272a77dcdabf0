package io.seqattn.bench;

import io.seqattn.core.attention.Summary;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.ModelInitializer;
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
 * One chunk through each kernel step, for each shape, chunk size and feature map (favor+ and trig
 * with their default m = 4·d_head).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class KernelBench {

  @Param({"64x1x64", "256x4x64"})
  public String shape;

  @Param({"4096", "16384", "65536"})
  public int chunk;

  @Param({"elu", "relu", "favor+", "trig"})
  public String featureMap;

  int[] tokens;
  ChunkKernel global;
  ChunkKernel causal;
  Summary state;

  @Setup
  public void setUp() {
    Shape s = Shape.parse(shape);
    FeatureMap map = FeatureMaps.byName(featureMap);
    global = new ChunkKernel(ModelInitializer.random(s.config(map), 0, 7));
    causal = new ChunkKernel(ModelInitializer.random(s.config(map).withCausal(null), 0, 7));
    SplittableRandom random = new SplittableRandom(1);
    tokens = new int[chunk];
    for (int i = 0; i < chunk; i++) {
      tokens[i] = random.nextInt(65);
    }
    state = global.summarize(tokens, 1_000_000);
  }

  @Benchmark
  public Summary pass1() {
    return global.summarize(tokens, 1_000_000);
  }

  @Benchmark
  public Object pass2() {
    return global.attend(tokens, 1_000_000, state, false);
  }

  @Benchmark
  public Object causalPass2() {
    return causal.attendCausal(tokens, 1_000_000, state, false);
  }
}
