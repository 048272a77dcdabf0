/**
 * The Spark job: a run's checked spec, the plan that runs the spec's token mixer over the chunks
 * (switching over what the mixer needs across chunks), the run directory — written all-or-nothing,
 * its Parquet tables, its reader and digest — run.json, and the Parquet token-id input read through
 * Spark. Spark glue: no arithmetic beyond counts.
 * Imports {@code io.seqattn.core.*}, {@code io.seqattn.udfs}, {@code io.seqattn.job.input}, Spark
 * and Hadoop.
 */
package io.seqattn.job.plan;
