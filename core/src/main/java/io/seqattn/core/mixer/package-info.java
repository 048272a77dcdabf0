/**
 * Token mixers — how the positions of a sequence see each other, chunk by chunk — and what all of
 * them share: the {@link io.seqattn.core.mixer.TokenMixer} description and its per-thread
 * {@link io.seqattn.core.mixer.MixerKernel}, what the engine must do across chunks
 * ({@link io.seqattn.core.mixer.CrossChunk}), the registry {@link io.seqattn.core.mixer.Mixers},
 * and the kernels' common parts: token projections with sinusoidal positions, the chunk workspace,
 * output assembly. One subpackage per mechanism ({@code linear}, {@code softmax}). May import
 * {@code io.seqattn.core.*} and ND4J, never Spark.
 */
package io.seqattn.core.mixer;
