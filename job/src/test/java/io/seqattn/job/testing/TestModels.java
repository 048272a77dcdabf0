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
   * elu layer with the z normalizer, RoPE and a GELU FFN, LayerNorms, a final RMSNorm.
   */
  public static StackModel gatedStack() {
    return StackInitializer.random(StackConfigJson.parse(GATED_STACK), 5);
  }

  public static final String GATED_STACK = """
      {"format": 2, "tokenizer": {"type": "dna", "k": 3, "stride": 1}, "d_model": 16, "positional": "sinusoidal",
       "layers": [
        {"norm": {"type": "rmsnorm", "eps": 1e-6},
         "mixer": {"type": "linear_attention", "heads": 2, "d_key": 8, "d_value": 8, "feature_map": "identity",
                   "query_scale": 0.35355339059327373, "rope": false, "normalizer": "none", "eps": 1e-6,
                   "causal": true, "gate": {"type": "gla", "rank": 4, "tau": 16.0},
                   "output_norm": {"type": "rmsnorm", "eps": 1e-5}, "output_gate": true},
         "ffn": {"type": "swiglu", "d_ff": 32}},
        {"norm": {"type": "layernorm", "eps": 1e-5},
         "mixer": {"type": "linear_attention", "heads": 2, "d_key": 8, "d_value": 8, "feature_map": "elu",
                   "query_scale": 1.0, "rope": true, "normalizer": "z", "eps": 1e-6, "causal": true,
                   "gate": {"type": "scalar"}, "output_norm": null, "output_gate": false},
         "ffn": {"type": "gelu", "d_ff": 32}}],
       "final_norm": {"type": "rmsnorm", "eps": 1e-6}, "d_out": 0}
      """;

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
