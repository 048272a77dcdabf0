package io.seqattn.job.testing;

import io.seqattn.core.attention.ChunkKernel;
import io.seqattn.core.attention.PooledSum;
import io.seqattn.core.attention.Pooling;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.model.Model;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.Readers;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The same monoid folded in memory, without Spark: read every chunk of every file in order, sum
 * summaries chunk by chunk, then read out and pool. The Spark job must agree with it bitwise.
 */
public final class InMemoryRun {
  public final Map<String, Summary> states = new LinkedHashMap<>();
  public final Map<String, float[]> embeddings = new LinkedHashMap<>();

  public InMemoryRun(Model model, Readers readers, List<InputFile> files) throws IOException {
    ChunkKernel kernel = new ChunkKernel(model);
    Map<String, List<Chunk>> bySequence = new LinkedHashMap<>();
    for (InputFile file : files) {
      for (Iterator<Chunk> it = readers.chunks(file); it.hasNext(); ) {
        Chunk c = it.next();
        bySequence.computeIfAbsent(c.seqId(), k -> new ArrayList<>()).add(c);
      }
    }
    bySequence.forEach((id, chunks) -> {
      Summary state = null;
      for (Chunk c : chunks) {
        Summary s = kernel.summarize(c.tokens(), c.start());
        state = state == null ? s : Summary.MERGE.merge(state, s);
      }
      PooledSum pooled = null;
      for (Chunk c : chunks) {
        PooledSum p = kernel.attend(c.tokens(), c.start(), state, false).pooled();
        pooled = pooled == null ? p : PooledSum.MERGE.merge(pooled, p);
      }
      states.put(id, state);
      embeddings.put(id, Pooling.embedding(model, pooled));
    });
  }
}
