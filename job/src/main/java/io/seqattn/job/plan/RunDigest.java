package io.seqattn.job.plan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;

/**
 * A content digest of a run directory's tables: per table, SHA-256 over its rows sorted by their
 * key (states by sequence and head, embeddings by sequence, outputs by sequence and chunk), every
 * value fed by its exact bits — floats and doubles as IEEE 754 bit patterns, strings as UTF-8 with
 * their length, nulls marked. Two runs have the same digest exactly when their tables hold the
 * same values, whatever Parquet's file names, row-group layout, compression or writer metadata, so
 * it is how "bitwise identical" is checked between runs (partition counts, executors, refactors).
 * {@code run.json} is left out: it holds timings.
 */
public final class RunDigest {

  /** Key columns of each table, in sort order. */
  private static final Map<String, List<String>> KEYS = Map.of(
      OutputTables.STATES_TABLE, List.of("seq_id", "layer", "head"),
      OutputTables.EMBEDDINGS_TABLE, List.of("seq_id"),
      OutputTables.OUTPUTS_TABLE, List.of("seq_id", "chunk"));

  private RunDigest() {}

  /** A table's digest: its row count and hex SHA-256. */
  public record TableDigest(String table, long rows, String sha256) {
    @Override
    public String toString() {
      return String.format("%-11s %10d rows  sha256:%s", table, rows, sha256);
    }
  }

  /** The digests of the tables the run has, in the order states, embeddings, outputs. */
  public static List<TableDigest> of(SparkSession spark, RunDirectory run) throws IOException {
    Map<String, Dataset<Row>> tables = new LinkedHashMap<>();
    if (run.hasStates()) {
      tables.put(OutputTables.STATES_TABLE, run.states(spark));
    }
    tables.put(OutputTables.EMBEDDINGS_TABLE, run.embeddings(spark));
    if (run.hasOutputs()) {
      tables.put(OutputTables.OUTPUTS_TABLE, run.outputs(spark));
    }
    return tables.entrySet().stream().map(e -> digest(e.getKey(), e.getValue())).toList();
  }

  private static TableDigest digest(String name, Dataset<Row> table) {
    List<String> columns = List.of(table.columns());
    List<String> keys = KEYS.get(name).stream().filter(columns::contains).toList(); // runs before 0.2: no layer
    Dataset<Row> sorted = table.sort(keys.stream().map(table::col).toArray(org.apache.spark.sql.Column[]::new));
    MessageDigest sha = sha256();
    StructField[] fields = table.schema().fields();
    for (StructField f : fields) {
      update(sha, f.name() + ":" + f.dataType().simpleString());
    }
    long rows = 0;
    for (Iterator<Row> it = sorted.toLocalIterator(); it.hasNext(); ) {
      Row row = it.next();
      for (int i = 0; i < fields.length; i++) {
        update(sha, row.isNullAt(i) ? null : row.get(i));
      }
      rows++;
    }
    return new TableDigest(name, rows, HexFormat.of().formatHex(sha.digest()));
  }

  /** Feeds one value: a type tag, then its exact bits (recursively for arrays and structs). */
  private static void update(MessageDigest sha, Object value) {
    if (value == null) {
      sha.update((byte) 'N');
    } else if (value instanceof Float f) {
      sha.update((byte) 'f');
      sha.update(ByteBuffer.allocate(4).putInt(Float.floatToRawIntBits(f)).array());
    } else if (value instanceof Double d) {
      sha.update((byte) 'd');
      sha.update(ByteBuffer.allocate(8).putLong(Double.doubleToRawLongBits(d)).array());
    } else if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
      sha.update((byte) 'i');
      sha.update(ByteBuffer.allocate(8).putLong(((Number) value).longValue()).array());
    } else if (value instanceof Boolean b) {
      sha.update((byte) (b ? 'T' : 'F'));
    } else if (value instanceof String s) {
      byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
      sha.update((byte) 's');
      sha.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
      sha.update(bytes);
    } else if (value instanceof scala.collection.Seq<?> seq) {
      sha.update((byte) 'a');
      sha.update(ByteBuffer.allocate(4).putInt(seq.size()).array());
      for (Iterator<?> it = scala.jdk.javaapi.CollectionConverters.asJava(seq.iterator()); it.hasNext(); ) {
        update(sha, it.next());
      }
    } else if (value instanceof Row struct) {
      sha.update((byte) 'r');
      for (int i = 0; i < struct.size(); i++) {
        update(sha, struct.isNullAt(i) ? null : struct.get(i));
      }
    } else {
      throw new IllegalArgumentException("cannot digest a value of type " + value.getClass().getName());
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
