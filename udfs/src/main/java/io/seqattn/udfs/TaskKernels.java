package io.seqattn.udfs;

import io.seqattn.core.attention.ChunkKernel;
import io.seqattn.core.model.Model;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link ChunkKernel} of the calling task thread for a model, built on first use and reused by
 * every later task on that thread. Kernels are not thread-safe and own ND4J arrays, which must never
 * be serialized, so models travel to executors as primitive arrays and become kernels here.
 */
public final class TaskKernels {
  private static final ThreadLocal<Map<String, ChunkKernel>> KERNELS = ThreadLocal.withInitial(HashMap::new);

  private TaskKernels() {}

  public static ChunkKernel of(Model model) {
    FaultInjection.check();
    return KERNELS.get().computeIfAbsent(model.fingerprint(), fp -> new ChunkKernel(model));
  }
}
