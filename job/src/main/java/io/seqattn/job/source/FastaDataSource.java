package io.seqattn.job.source;

import java.util.Map;
import org.apache.spark.sql.connector.catalog.Table;
import org.apache.spark.sql.connector.catalog.TableProvider;
import org.apache.spark.sql.connector.expressions.Transform;
import org.apache.spark.sql.sources.DataSourceRegister;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * {@code spark.read().format("seqattn-fasta")}: FASTA files as rows of chunks of k-mer tokens,
 *
 * <pre>
 * spark.read().format("seqattn-fasta").option("k", 5).option("chunkSize", 65536).load("hdfs:///genomes/*.fa")
 * </pre>
 *
 * one row per chunk, with the columns of {@link #SCHEMA}. Reading is the CLI's: an uncompressed or
 * BGZF file is split by its {@code .fai} (and {@code .gzi}) index — built and written beside the
 * file when missing or stale, where the file system allows — into read tasks of at most 16 chunks,
 * so one chromosome spreads over many tasks; a plain gzip file is read whole by one task. A
 * sequence's chunk c holds its tokens [c·C, (c+1)·C): the rows are the chunks {@code seqattn run}
 * summarizes, so {@code seqattn_summarize(tokens, start)} over them merges (by
 * {@code seqattn_merge}) to the CLI's states bitwise. Malformed input fails the query with the
 * file, line and what to do, as the CLI does. Ids are not checked for uniqueness across files.
 *
 * <p>Registered for its short name through {@code META-INF/services}.
 */
public final class FastaDataSource implements TableProvider, DataSourceRegister {
  /** The short name of {@code format(…)}. */
  public static final String NAME = "seqattn-fasta";

  /**
   * {@code seq_id}: the first word of the header; {@code description}: the rest of the header, on a
   * sequence's chunk 0 only (null on later chunks and when empty); {@code chunk}: the chunk's index in
   * its sequence; {@code start}: the position of its first token; {@code tokens}: its k-mer ids
   * (−1 where {@code skipN} left a position absent); {@code source}: the file it was read from.
   */
  public static final StructType SCHEMA = new StructType()
      .add("seq_id", DataTypes.StringType, false)
      .add("description", DataTypes.StringType, true)
      .add("chunk", DataTypes.IntegerType, false)
      .add("start", DataTypes.LongType, false)
      .add("tokens", DataTypes.createArrayType(DataTypes.IntegerType, false), false)
      .add("source", DataTypes.StringType, false);

  @Override
  public String shortName() {
    return NAME;
  }

  @Override
  public StructType inferSchema(CaseInsensitiveStringMap options) {
    return SCHEMA;
  }

  @Override
  public Table getTable(StructType schema, Transform[] partitioning, Map<String, String> properties) {
    if (!schema.equals(SCHEMA)) {
      throw new IllegalArgumentException(NAME + ": the schema is fixed (" + SCHEMA.simpleString()
          + "); do not pass .schema(…)");
    }
    return new FastaTable(FastaSourceOptions.parse(properties));
  }
}
