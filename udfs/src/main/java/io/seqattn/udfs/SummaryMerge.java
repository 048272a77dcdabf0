package io.seqattn.udfs;

import io.seqattn.core.attention.ChunkOrderFold;
import io.seqattn.core.attention.SummaryCodec;
import org.apache.spark.sql.Encoder;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.expressions.Aggregator;

/**
 * {@code seqattn_merge}: an aggregate over the summaries of one sequence's chunks that merges them
 * in position order whatever order Spark delivers and combines them in ({@link ChunkOrderFold}),
 * so decayed (non-commutative) summaries merge correctly and global ones bitwise as the CLI's fold.
 * Summaries of another model, duplicated chunks and gaps are errors; nulls are skipped, as SQL
 * aggregates skip them.
 */
final class SummaryMerge extends Aggregator<byte[], ChunkOrderFold, byte[]> {
  private final String fingerprint;

  SummaryMerge(String fingerprint) {
    this.fingerprint = fingerprint;
  }

  @Override
  public ChunkOrderFold zero() {
    return new ChunkOrderFold();
  }

  @Override
  public ChunkOrderFold reduce(ChunkOrderFold fold, byte[] summary) {
    if (summary != null) {
      fold.add(SqlArguments.summary("seqattn_merge", fingerprint, summary));
    }
    return fold;
  }

  @Override
  public ChunkOrderFold merge(ChunkOrderFold a, ChunkOrderFold b) {
    a.addAll(b);
    return a;
  }

  @Override
  public byte[] finish(ChunkOrderFold fold) {
    SummaryCodec.Positioned merged;
    try {
      merged = fold.result();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("seqattn_merge: " + e.getMessage(), e);
    }
    return merged == null ? null : SummaryCodec.toBytes(merged);
  }

  @Override
  public Encoder<ChunkOrderFold> bufferEncoder() {
    return Encoders.javaSerialization(ChunkOrderFold.class);
  }

  @Override
  public Encoder<byte[]> outputEncoder() {
    return Encoders.BINARY();
  }
}
