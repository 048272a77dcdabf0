/**
 * JMH benchmarks of the kernels against the machine's own sgemm peak, built only with
 * {@code -Pbench} (scripts/bench-kernels.sh). Imports {@code io.seqattn.core.*}, ND4J and JMH.
 */
package io.seqattn.bench;
