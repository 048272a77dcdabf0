package io.seqattn.core.stack;

import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import java.io.Serializable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A deep model's config (format 2, docs/model-format-2.md): the tokenizer, the width d of the
 * hidden states, the positional encoding, the blocks, the final norm and the pooling head's width.
 * {@link #tensorShapes()} is the one place that says which weight tensors the config needs and
 * their shapes; loading, saving, initialization and validation all read it.
 *
 * @param finalNorm the norm after the last block, or null
 * @param dOut the width of {@code head.wo}, 0 for none
 * @param poolQueries the number P of learned queries {@code head.pool_queries} that pool by exact
 *     softmax attention over the whole sequence, 0 to pool by the mean
 */
public record StackConfig(TokenizerSpec tokenizer, int dModel, Positional positional, List<BlockSpec> layers,
    NormSpec finalNorm, int dOut, int poolQueries) implements Serializable {
  /** The most pooling queries a model may have: each widens the embedding by d. */
  public static final int MAX_POOL_QUERIES = 64;

  public StackConfig {
    Objects.requireNonNull(tokenizer, "tokenizer");
    Objects.requireNonNull(positional, "positional");
    if (dModel < 1) {
      throw new IllegalArgumentException("d_model must be >= 1, got " + dModel);
    }
    if (positional == Positional.SINUSOIDAL && dModel % 2 != 0) {
      throw new IllegalArgumentException("d_model must be even for sinusoidal positions, got " + dModel);
    }
    if (layers == null || layers.isEmpty()) {
      throw new IllegalArgumentException("'layers' must list at least one block");
    }
    layers = List.copyOf(layers);
    if (dOut < 0) {
      throw new IllegalArgumentException("d_out must be >= 0, got " + dOut);
    }
    if (poolQueries < 0 || poolQueries > MAX_POOL_QUERIES) {
      throw new IllegalArgumentException("pool_queries must be in 0.." + MAX_POOL_QUERIES + ", got " + poolQueries);
    }
  }

  /** A model that pools by the mean. */
  public StackConfig(TokenizerSpec tokenizer, int dModel, Positional positional, List<BlockSpec> layers,
      NormSpec finalNorm, int dOut) {
    this(tokenizer, dModel, positional, layers, finalNorm, dOut, 0);
  }

  /** Whether the embedding pools by softmax attention of learned queries rather than by the mean. */
  public boolean poolsByAttention() {
    return poolQueries > 0;
  }

  /** Width of the pooled final output before {@code head.wo}: P·d by attention, d by the mean. */
  public int pooledWidth() {
    return poolsByAttention() ? poolQueries * dModel : dModel;
  }

  /** The number L of blocks. */
  public int depth() {
    return layers.size();
  }

  /** Width of the pooled embedding: d_out with the head, {@link #pooledWidth} without. */
  public int embeddingDim() {
    return dOut > 0 ? dOut : pooledWidth();
  }

  /** Whether every layer is causal: only then can a sequence be continued from stored states. */
  public boolean causal() {
    return layers.stream().allMatch(b -> b.mixer().causal());
  }

  /** Every weight tensor the config calls for, by name, with its shape, in a fixed order. */
  public Map<String, int[]> tensorShapes() {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    int d = dModel;
    shapes.put("embedding", new int[] {tokenizer.vocabularySize(), d});
    for (int i = 0; i < layers.size(); i++) {
      BlockSpec block = layers.get(i);
      String p = "layers." + i + ".";
      norm(shapes, p + "norm1", block.norm(), d);
      AttentionSpec a = block.mixer();
      shapes.put(p + "mixer.wq", new int[] {d, a.keyWidth()});
      shapes.put(p + "mixer.wk", new int[] {d, a.keyWidth()});
      shapes.put(p + "mixer.wv", new int[] {d, a.valueWidth()});
      shapes.put(p + "mixer.wo", new int[] {a.valueWidth(), d});
      if (a.featureMap().usesOmega()) {
        shapes.put(p + "mixer.omega", new int[] {a.heads(), a.featureMap().omegaRows(a.features()), a.dKey()});
      }
      if (a.shortConv() != null) {
        int k = a.shortConv().kernel();
        shapes.put(p + "mixer.conv_q", new int[] {a.keyWidth(), k});
        shapes.put(p + "mixer.conv_k", new int[] {a.keyWidth(), k});
        shapes.put(p + "mixer.conv_v", new int[] {a.valueWidth(), k});
      }
      if (a.outputGate()) {
        shapes.put(p + "mixer.wg", new int[] {d, a.valueWidth()});
      }
      if (a.outputNorm() != null) {
        shapes.put(p + "mixer.out_norm.weight", new int[] {a.dValue()});
      }
      switch (a.gate().kind()) {
        case GLA -> {
          int rank = ((GateSpec.Gla) a.gate()).rank();
          shapes.put(p + "mixer.gate.w1", new int[] {d, rank});
          shapes.put(p + "mixer.gate.w2", new int[] {rank, a.keyWidth()});
          shapes.put(p + "mixer.gate.b", new int[] {a.keyWidth()});
        }
        case SCALAR -> {
          shapes.put(p + "mixer.gate.a_log", new int[] {a.heads()});
          shapes.put(p + "mixer.gate.w_dt", new int[] {d, a.heads()});
          shapes.put(p + "mixer.gate.b_dt", new int[] {a.heads()});
        }
        case NONE, CONSTANT -> { }
      }
      if (block.ffn() != null) {
        norm(shapes, p + "norm2", block.norm(), d);
        int f = block.ffn().dFf();
        switch (block.ffn().kind()) {
          case SWIGLU -> {
            shapes.put(p + "ffn.w_gate", new int[] {d, f});
            shapes.put(p + "ffn.w_up", new int[] {d, f});
            shapes.put(p + "ffn.w_down", new int[] {f, d});
          }
          case GELU -> {
            shapes.put(p + "ffn.w1", new int[] {d, f});
            shapes.put(p + "ffn.b1", new int[] {f});
            shapes.put(p + "ffn.w2", new int[] {f, d});
            shapes.put(p + "ffn.b2", new int[] {d});
          }
        }
      }
    }
    if (finalNorm != null) {
      norm(shapes, "final_norm", finalNorm, d);
    }
    if (poolsByAttention()) {
      shapes.put("head.pool_queries", new int[] {poolQueries, d});
    }
    if (dOut > 0) {
      shapes.put("head.wo", new int[] {pooledWidth(), dOut});
    }
    return shapes;
  }

  private static void norm(Map<String, int[]> shapes, String name, NormSpec norm, int d) {
    shapes.put(name + ".weight", new int[] {d});
    if (norm.kind().hasBias()) {
      shapes.put(name + ".bias", new int[] {d});
    }
  }
}
