package io.seqattn.udfs;

import io.seqattn.core.network.Network;
import io.seqattn.core.network.NetworkKernel;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link NetworkKernel} of the calling task thread for a network, built on first use and reused
 * by every later task on that thread. Kernels are not thread-safe and own ND4J arrays, which must
 * never be serialized, so networks travel to executors as plain values and become kernels here.
 */
public final class TaskKernels {
  private static final ThreadLocal<Map<Object, NetworkKernel>> KERNELS = ThreadLocal.withInitial(HashMap::new);

  private TaskKernels() {}

  public static NetworkKernel of(Network network) {
    FaultInjection.check();
    return KERNELS.get().computeIfAbsent(network.kernelKey(), k -> network.newKernel());
  }
}
