package io.seqattn.core.mixer;

import io.seqattn.core.model.Model;

/**
 * A token mixer of a one-layer (format 1) model: the {@link LayerMixer} description plus the
 * {@link MixerKernel} it builds for a model inside a task. A new mixer is one class (plus its
 * kernel and summary type) and one line in {@link Mixers}.
 *
 * @param <S> the summary of a stretch of tokens
 */
public interface TokenMixer<S> extends LayerMixer<S> {

  /** The kernel for one task thread. */
  MixerKernel<S> newKernel(Model model);
}
