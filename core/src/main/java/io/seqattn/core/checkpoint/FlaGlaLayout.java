package io.seqattn.core.checkpoint;

import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Positional;
import io.seqattn.core.stack.AttentionSpec;
import io.seqattn.core.stack.BlockSpec;
import io.seqattn.core.stack.FfnSpec;
import io.seqattn.core.stack.GateSpec;
import io.seqattn.core.stack.NormSpec;
import io.seqattn.core.stack.StackConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * flash-linear-attention's GLA models ({@code fla.models.gla}: {@code GLAForCausalLM}, whose
 * tensors start with {@code model.}, or {@code GLAModel}, whose do not), the inverse of the
 * reference's {@code fla_checkpoint}. Per block i, with P = {@code [model.]layers.i.}:
 *
 * <pre>
 * embedding                  ← [model.]embeddings.weight            as is   [vocab, d]
 * layers.i.norm1.weight      ← P attn_norm.weight                   as is   [d]
 * layers.i.mixer.wq          ← P attn.q_proj.weight                 ᵀ, ÷ s·√d_k
 * layers.i.mixer.wk/wv/wg/wo ← P attn.{k,v,g,o}_proj.weight         ᵀ
 * layers.i.mixer.gate.w1     ← P attn.gk_proj.0.weight              ᵀ       (Linear(d, r), no bias)
 * layers.i.mixer.gate.w2     ← P attn.gk_proj.1.weight              ᵀ       (Linear(r, H·d_k))
 * layers.i.mixer.gate.b      ← P attn.gk_proj.1.bias                as is   [H·d_k]
 * layers.i.mixer.out_norm.weight ← P attn.g_norm_swish_gate.weight  as is   [d_v], shared by the heads
 * layers.i.norm2.weight      ← P mlp_norm.weight                    as is   [d]
 * layers.i.ffn.w_gate/w_up/w_down ← P mlp.{gate,up,down}_proj.weight ᵀ
 * final_norm.weight          ← [model.]norm.weight                  as is   [d]
 * </pre>
 *
 * <p>FLA's {@code chunk_gla} multiplies queries by d_k^(−1/2) itself, so {@code q_proj} holds
 * s·√d_k·W_q for the config's {@code query_scale} s, and is divided by that here (exactly 1, so
 * nothing changes, for s = d_k^(−1/2) — FLA's own scale). {@code lm_head.weight} has no place in
 * format 2 (which has no LM head) and is skipped. Only GLA-shaped configs fit: positional none,
 * rmsnorm everywhere, identity φ, no RoPE, normalizer none, causal with a GLA gate, an output norm
 * and gate, SwiGLU, a final rmsnorm and d_out 0; anything else is refused with every reason.
 */
public final class FlaGlaLayout implements CheckpointLayout {
  /** GLAForCausalLM's prefix; GLAModel's tensors have none. */
  static final String CAUSAL_LM_PREFIX = "model.";
  /** The LM head of GLAForCausalLM, which format 2 has no place for. */
  static final String LM_HEAD = "lm_head.weight";
  /** The factor s·√d_k within this of 1 is taken as exactly 1, as the reference's writer takes it. */
  private static final double UNIT_FOLD = 1e-12;

  @Override
  public Map<String, TensorSource> sources(StackConfig config, Set<String> names) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new CheckpointException("the config is not GLA-shaped, so it cannot be read in flash-linear-attention's "
          + "GLA layout: " + String.join("; ", problems) + " (use --layout reference, or a GLA config)");
    }
    String m = names.contains("embeddings.weight") && !names.contains(CAUSAL_LM_PREFIX + "embeddings.weight") ? ""
        : CAUSAL_LM_PREFIX;
    Map<String, TensorSource> s = new LinkedHashMap<>();
    s.put("embedding", TensorSource.asIs(m + "embeddings.weight"));
    for (int i = 0; i < config.depth(); i++) {
      AttentionSpec a = config.layers().get(i).mixer();
      String p = "layers." + i + ".";
      String q = m + "layers." + i + ".";
      s.put(p + "norm1.weight", TensorSource.asIs(q + "attn_norm.weight"));
      double fold = a.queryScale() * Math.sqrt(a.dKey());
      s.put(p + "mixer.wq", new TensorSource(q + "attn.q_proj.weight", true,
          Math.abs(fold - 1.0) < UNIT_FOLD ? 1.0 : 1.0 / fold));
      s.put(p + "mixer.wk", TensorSource.transposed(q + "attn.k_proj.weight"));
      s.put(p + "mixer.wv", TensorSource.transposed(q + "attn.v_proj.weight"));
      s.put(p + "mixer.wo", TensorSource.transposed(q + "attn.o_proj.weight"));
      s.put(p + "mixer.wg", TensorSource.transposed(q + "attn.g_proj.weight"));
      s.put(p + "mixer.out_norm.weight", TensorSource.asIs(q + "attn.g_norm_swish_gate.weight"));
      s.put(p + "mixer.gate.w1", TensorSource.transposed(q + "attn.gk_proj.0.weight"));
      s.put(p + "mixer.gate.w2", TensorSource.transposed(q + "attn.gk_proj.1.weight"));
      s.put(p + "mixer.gate.b", TensorSource.asIs(q + "attn.gk_proj.1.bias"));
      s.put(p + "norm2.weight", TensorSource.asIs(q + "mlp_norm.weight"));
      s.put(p + "ffn.w_gate", TensorSource.transposed(q + "mlp.gate_proj.weight"));
      s.put(p + "ffn.w_up", TensorSource.transposed(q + "mlp.up_proj.weight"));
      s.put(p + "ffn.w_down", TensorSource.transposed(q + "mlp.down_proj.weight"));
    }
    s.put("final_norm.weight", TensorSource.asIs(m + "norm.weight"));
    // the same keys, in the config's order
    Map<String, TensorSource> ordered = new LinkedHashMap<>();
    for (String name : config.tensorShapes().keySet()) {
      ordered.put(name, s.get(name));
    }
    return ordered;
  }

  @Override
  public boolean ignorable(String name) {
    return LM_HEAD.equals(name);
  }

  /** Every way the config differs from what flash-linear-attention's GLA computes. */
  static List<String> problems(StackConfig config) {
    List<String> problems = new ArrayList<>();
    if (config.positional() != Positional.NONE) {
      problems.add("positional is '" + config.positional().configName() + "' (GLA has none)");
    }
    if (!isRms(config.finalNorm())) {
      problems.add("final_norm must be an rmsnorm");
    }
    if (config.dOut() != 0) {
      problems.add("d_out must be 0 (GLA has no pooling head)");
    }
    if (config.poolsByAttention()) {
      problems.add("pool_queries must be 0 (GLA has no pooling queries)");
    }
    for (int i = 0; i < config.depth(); i++) {
      BlockSpec b = config.layers().get(i);
      AttentionSpec a = b.mixer();
      String where = "layers[" + i + "] needs ";
      require(problems, isRms(b.norm()), where + "norm.type 'rmsnorm'");
      require(problems, a.featureMap().equals(FeatureMaps.IDENTITY), where + "mixer.feature_map 'identity'");
      require(problems, !a.normalizedByZ(), where + "mixer.normalizer 'none'");
      require(problems, a.causal(), where + "mixer.causal true");
      require(problems, !a.rope(), where + "mixer.rope false");
      require(problems, a.gate().kind() == GateSpec.Kind.GLA, where + "mixer.gate 'gla'");
      require(problems, a.outputNorm() != null, where + "mixer.output_norm (rmsnorm)");
      require(problems, a.outputGate(), where + "mixer.output_gate true");
      require(problems, a.shortConv() == null, where + "no mixer.short_conv (this layout maps use_short_conv false)");
      require(problems, a.window() == 0, where + "no mixer.window (GLA has no softmax window)");
      require(problems, b.ffn() != null && b.ffn().kind() == FfnSpec.Kind.SWIGLU, where + "ffn 'swiglu'");
    }
    return problems;
  }

  private static boolean isRms(NormSpec norm) {
    return norm != null && norm.kind() == NormSpec.Kind.RMSNORM;
  }

  private static void require(List<String> problems, boolean condition, String problem) {
    if (!condition) {
      problems.add(problem);
    }
  }
}
