/**
 * The vocabulary every mixer and every engine shares: summaries of a stretch of tokens and their
 * merge laws ({@link io.seqattn.core.attention.Summary}, {@link io.seqattn.core.attention.PooledSum},
 * {@link io.seqattn.core.attention.Semigroup}), the versioned byte form of a summary, the in-order
 * fold that aggregates deliver to, pooling and readout, the in-memory run of a whole sequence
 * ({@link io.seqattn.core.attention.SequenceAttention}) and the one-model kernel front used by tests
 * and benchmarks. Pure Java plus ND4J: may import {@code io.seqattn.core.*} and ND4J, never Spark.
 */
package io.seqattn.core.attention;
