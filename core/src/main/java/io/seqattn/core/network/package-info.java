/**
 * A model as the engine runs it — layers whose mixers combine chunk summaries across chunks — and
 * its per-thread kernel; one-layer models as the case L = 1. May import {@code io.seqattn.core.*},
 * never Spark.
 */
package io.seqattn.core.network;
