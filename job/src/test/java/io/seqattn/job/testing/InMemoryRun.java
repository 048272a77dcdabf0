package io.seqattn.job.testing;

import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.mixer.ChunkKernel;
import io.seqattn.core.model.Model;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.Readers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same computation in memory, without Spark: read every chunk of every file in order, merge
 * summaries chunk by chunk (global: all of them; causal: the prefix before each chunk), then read
 * out and pool. The global Spark job must agree with it bitwise; the causal one merges in a
 * two-level order and agrees to rounding.
 */
public final class InMemoryRun {
  public final Map<String, Summary> states = new LinkedHashMap<>();
  public final Map<String, float[]> embeddings = new LinkedHashMap<>();
  /** Per sequence, the outputs of every position, row-major [tokens][heads·d_head]. */
  public final Map<String, float[]> outputs = new LinkedHashMap<>();

  public InMemoryRun(Model model, Readers readers, List<InputFile> files) throws IOException {
    ChunkKernel kernel = new ChunkKernel(model);
    boolean causal = model.config().causal();
    Map<String, List<Chunk>> bySequence = new LinkedHashMap<>();
    for (InputFile file : files) {
      for (Iterator<ReadItem> it = readers.chunks(file); it.hasNext(); ) {
        Chunk c = (Chunk) it.next();
        bySequence.computeIfAbsent(c.seqId(), k -> new ArrayList<>()).add(c);
      }
    }
    bySequence.forEach((id, chunks) -> {
      Summary state = null;
      for (Chunk c : chunks) {
        Summary s = kernel.summarize(c.tokens(), c.start());
        state = Summary.MERGE.mergeNullable(state, s);
      }
      PooledSum pooled = null;
      Summary prefix = null;
      List<float[]> parts = new ArrayList<>();
      for (Chunk c : chunks) {
        io.seqattn.core.attention.ChunkOutputs o = causal
            ? kernel.attendCausal(c.tokens(), c.start(), prefix, true)
            : kernel.attend(c.tokens(), c.start(), state, true);
        PooledSum p = o.pooled();
        pooled = PooledSum.MERGE.mergeNullable(pooled, p);
        parts.add(o.outputs());
        Summary s = kernel.summarize(c.tokens(), c.start());
        prefix = Summary.MERGE.mergeNullable(prefix, s);
      }
      int total = parts.stream().mapToInt(a -> a.length).sum();
      float[] all = new float[total];
      int at = 0;
      for (float[] part : parts) {
        System.arraycopy(part, 0, all, at, part.length);
        at += part.length;
      }
      outputs.put(id, all);
      states.put(id, state);
      embeddings.put(id, Pooling.embedding(model, pooled));
    });
  }
}
