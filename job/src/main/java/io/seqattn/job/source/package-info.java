/**
 * The {@code seqattn-fasta} Spark data source (DataSource V2): FASTA files on any Hadoop file
 * system as rows of chunks of k-mer tokens, planned with the CLI's index splits. Spark glue over
 * {@code io.seqattn.job.input}; reads, never computes.
 */
package io.seqattn.job.source;
