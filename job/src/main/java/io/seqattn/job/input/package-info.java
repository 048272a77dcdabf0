/**
 * Reading inputs into chunks: FASTA (sequential, or split by its {@code .fai}/{@code .gzi} indexes,
 * checked before they are trusted), text, JSONL and token ids (from JSONL, or from Parquet rows the
 * plan reads through Spark), gzip and BGZF, read tasks planned on the driver, and the input errors
 * that name file, line and column. Streams a sequence in bounded memory (a token-id record is held
 * whole). Files are local paths or Hadoop file system URIs, opened through {@link
 * io.seqattn.job.input.Storage}. Imports {@code io.seqattn.core.model} and {@code tokenize}, Jackson and
 * Hadoop's {@code FileSystem}; no ND4J, no Spark.
 */
package io.seqattn.job.input;
