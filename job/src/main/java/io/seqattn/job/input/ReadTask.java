package io.seqattn.job.input;

import java.io.Serializable;
import java.util.List;

/**
 * What one Spark read task does: stream a whole file, or read chosen chunk ranges of records of an
 * indexed FASTA file by byte offset. Planned on the driver from file names and .fai indexes only.
 */
public sealed interface ReadTask extends Serializable {

  /** A whole file read sequentially by one task (gzip, text, JSONL, or an unindexable FASTA). */
  record WholeFile(InputFile file) implements ReadTask {}

  /** Chunk ranges of records of one uncompressed, indexed FASTA file. */
  record FastaPieces(InputFile file, List<Piece> pieces) implements ReadTask {}

  /** Chunks [chunkFrom, chunkTo) of the record described by {@code entry}. */
  record Piece(FastaIndex.Entry entry, long chunkFrom, long chunkTo) implements Serializable {}
}
