/**
 * Kernelized linear attention: global (a per-sequence reduction of (S, z)) and causal, optionally
 * decayed (an exclusive ordered scan of the map each chunk applies to the state), with their ND4J
 * kernels and the pass 1 they share. Imports {@code io.seqattn.core.attention}, {@code features},
 * {@code mixer}, {@code model} and ND4J.
 */
package io.seqattn.core.mixer.linear;
