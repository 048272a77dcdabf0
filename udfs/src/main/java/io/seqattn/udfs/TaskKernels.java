package io.seqattn.udfs;

import io.seqattn.core.mixer.MixerKernel;
import io.seqattn.core.mixer.TokenMixer;
import io.seqattn.core.model.Model;
import java.util.HashMap;
import java.util.Map;

/**
 * The {@link MixerKernel} of the calling task thread for a model and a mixer, built on first use and
 * reused by every later task on that thread. Kernels are not thread-safe and own ND4J arrays, which
 * must never be serialized, so models and mixers travel to executors as plain values and become
 * kernels here.
 */
public final class TaskKernels {
  private record Key(String fingerprint, TokenMixer<?> mixer) {}

  private static final ThreadLocal<Map<Key, MixerKernel<?>>> KERNELS = ThreadLocal.withInitial(HashMap::new);

  private TaskKernels() {}

  @SuppressWarnings("unchecked") // a key's kernel is always its mixer's
  public static <S> MixerKernel<S> of(Model model, TokenMixer<S> mixer) {
    FaultInjection.check();
    return (MixerKernel<S>) KERNELS.get().computeIfAbsent(new Key(model.fingerprint(), mixer),
        k -> mixer.newKernel(model));
  }
}
