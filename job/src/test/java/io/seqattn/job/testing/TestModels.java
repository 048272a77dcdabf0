package io.seqattn.job.testing;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.core.stack.StackConfigJson;
import io.seqattn.core.stack.StackInitializer;
import io.seqattn.core.stack.StackModel;
import java.nio.file.Path;

/** Small seeded models for the job tests, and paths to the corpora. */
public final class TestModels {
  private TestModels() {}

  public static Model dna() {
    return ModelInitializer.random(new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6), 0, 7);
  }

  /** Causal, with a different decay per head (RetNet style). */
  public static Model causalDna() {
    return ModelInitializer.random(new ModelConfig(TokenizerSpec.dna(3, 1), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6).withCausal(new double[] {0.999, 0.9}), 0, 7);
  }

  public static Model words() {
    return ModelInitializer.random(new ModelConfig(TokenizerSpec.words(4096), 16, 2, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6), 6, 11);
  }

  /**
   * A gated causal 2-layer stack over 3-mers: a GLA-gated identity-map layer without normalizer,
   * with output norm and gate and a SwiGLU FFN (the GLA block), then a Mamba2-style scalar-gated
   * elu layer with the z normalizer, RoPE and a GELU FFN, LayerNorms, a final RMSNorm
   * ({@code scripts/reference/gated-stack.json}, seed 5).
   */
  public static StackModel gatedStack() {
    try {
      return StackInitializer.random(StackConfigJson.parse(java.nio.file.Files.readString(gatedStackConfig())), 5);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The gated stack's config, checked in once for these tests and scripts/cluster-local.sh. */
  public static Path gatedStackConfig() {
    return Path.of(System.getProperty("seqattn.gated.stack", "../scripts/reference/gated-stack.json"));
  }

  /** Decompresses a gzip file to {@code target} (tests of uncompressed, indexed FASTA). */
  public static Path gunzip(Path gz, Path target) throws java.io.IOException {
    try (java.io.InputStream in = new java.util.zip.GZIPInputStream(java.nio.file.Files.newInputStream(gz))) {
      java.nio.file.Files.copy(in, target);
    }
    return target;
  }

  public static Path sampleCorpus() {
    return Path.of(System.getProperty("seqattn.sample.corpus", "../sample-corpus"));
  }
}
