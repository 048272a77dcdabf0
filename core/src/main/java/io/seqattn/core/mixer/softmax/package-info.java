/**
 * Exact softmax attention, the reference linear attention approximates: a chunk's summary is its
 * tokens, merged by concatenation, and every chunk's queries are read against the whole sequence's
 * keys online over key blocks. Imports {@code io.seqattn.core.attention}, {@code mixer},
 * {@code model} and ND4J.
 */
package io.seqattn.core.mixer.softmax;
