package io.seqattn.core.mixer;

import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.Positional;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.memory.MemoryWorkspace;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model's three projections of a chunk's tokens, all heads at once: x·W_q and x·W_k, [n,
 * heads·d_head], and the values with a column of ones after each head, [n, heads·(d_head + 1)] —
 * [V_h | 1] per head, so one product gives both a state S_h and its normalizer z_h (or a softmax's
 * weighted values and their weight). x_p = E[t_p] + PE(p) at the tokens' global positions; each
 * projection is a {@link TokenProjection}. Built once per kernel, outside any workspace.
 */
public final class ChunkProjections {
  public final TokenProjection queries;
  public final TokenProjection keys;
  public final TokenProjection values;

  public ChunkProjections(Model model) {
    ModelConfig config = model.config();
    int heads = config.heads();
    int dHead = config.dHead();
    int inner = config.innerDim();
    int d = config.dModel();
    int vocab = config.tokenizer().vocabularySize();
    try (MemoryWorkspace ignored = ChunkWorkspace.outside()) {
      INDArray embedding = Nd4j.create(model.embedding(), new long[] {vocab, d}, DataType.FLOAT);
      SinusoidalPositions positions =
          config.positional() == Positional.SINUSOIDAL ? new SinusoidalPositions(d) : null;
      this.queries = new TokenProjection(embedding, model.wq(), inner, positions);
      this.keys = new TokenProjection(embedding, model.wk(), inner, positions);
      int[] onesColumns = new int[heads];
      for (int h = 0; h < heads; h++) {
        onesColumns[h] = h * (dHead + 1) + dHead;
      }
      this.values = new TokenProjection(embedding, valuesWithOnes(model.wv(), d, heads, dHead),
          heads * (dHead + 1), positions, onesColumns);
    }
  }

  /** [W_v,h | 0] per head: W_v [d_model, inner] with a zero column after each head's columns. */
  private static float[] valuesWithOnes(float[] wv, int dModel, int heads, int dHead) {
    int inner = heads * dHead;
    int width = heads * (dHead + 1);
    float[] w = new float[dModel * width];
    for (int r = 0; r < dModel; r++) {
      for (int h = 0; h < heads; h++) {
        System.arraycopy(wv, r * inner + h * dHead, w, r * width + h * (dHead + 1), dHead);
      }
    }
    return w;
  }
}
