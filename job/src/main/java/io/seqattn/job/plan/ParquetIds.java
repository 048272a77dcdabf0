package io.seqattn.job.plan;

import static org.apache.spark.sql.functions.array_position;
import static org.apache.spark.sql.functions.coalesce;
import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;
import static org.apache.spark.sql.functions.transform;

import io.seqattn.job.input.IdsReader;
import io.seqattn.job.input.InputException;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.Readers;
import java.io.Serializable;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Token-id records of Parquet files ({@code --format ids}), read through Spark's Parquet reader:
 * per file, the id column (string or integer) and the ids column ({@code array<int>} or
 * {@code array<bigint>}), checked on the driver from the file's schema, then chunked in the tasks
 * by {@link Readers#chunks(Iterator)} exactly as a JSONL record of the same ids is.
 *
 * <p>A row is named {@code FILE: row R} by Spark's {@code _metadata.row_index} (0-based, its place
 * in the file whatever split reads it), so its origin and its messages do not depend on how Spark
 * splits the files. The order in which rows reach the chunker is immaterial: each record is chunked
 * on its own, and every chunk is keyed by (record id, chunk index) before anything is combined, so
 * results are bitwise identical for any {@code --partitions}. Other columns are not passed through.
 *
 * <p>The ids arrive as {@code long[]} through a bean encoder (a primitive array, copied from
 * Spark's columnar data, no boxing per token); nulls inside the array are found by SQL first, as
 * the encoder would read them as 0.
 */
final class ParquetIds {
  private ParquetIds() {}

  /** One row as the tasks receive it: a Java bean, for {@link Encoders#bean}. */
  public static final class IdsRow implements Serializable {
    private static final long serialVersionUID = 1L;
    private String path;
    private long row;
    private String id;
    private long[] ids;
    private int firstNull;

    public String getPath() {
      return path;
    }

    public void setPath(String value) {
      path = value;
    }

    public long getRow() {
      return row;
    }

    public void setRow(long value) {
      row = value;
    }

    public String getId() {
      return id;
    }

    public void setId(String value) {
      id = value;
    }

    public long[] getIds() {
      return ids;
    }

    public void setIds(long[] value) {
      ids = value;
    }

    public int getFirstNull() {
      return firstNull;
    }

    public void setFirstNull(int value) {
      firstNull = value;
    }

    IdsReader.Row toRow() {
      return new IdsReader.Row(id, path + ": row " + row, ids, firstNull);
    }
  }

  /**
   * What reading {@code files} yields, chunked.
   *
   * @throws InputException naming a file whose id or ids column is missing or of the wrong type
   */
  static JavaRDD<ReadItem> read(SparkSession spark, List<InputFile> files, Readers readers) {
    Dataset<IdsRow> all = null;
    for (InputFile file : files) {
      Dataset<IdsRow> rows = rows(spark, file, readers);
      all = all == null ? rows : all.union(rows);
    }
    return all.toJavaRDD().mapPartitions(rows -> readers.chunks(new Iterator<IdsReader.Row>() {
      @Override
      public boolean hasNext() {
        return rows.hasNext();
      }

      @Override
      public IdsReader.Row next() {
        return rows.next().toRow();
      }
    }));
  }

  private static Dataset<IdsRow> rows(SparkSession spark, InputFile file, Readers readers) {
    Dataset<Row> table = spark.read().parquet(file.path());
    StructType schema = table.schema();
    String idField = readers.idField();
    String idsField = readers.idsField();
    DataType idType = typeOf(schema, idField);
    if (idType == null || !(idType == DataTypes.StringType || integral(idType))) {
      throw new InputException(file.path() + ": " + (idType == null ? "no id column '" + idField + "'"
          : "id column '" + idField + "' is " + idType.simpleString()) + " (a string or integer column; choose it "
          + "with --id-field; columns: " + Arrays.toString(schema.fieldNames()) + ")");
    }
    DataType idsType = typeOf(schema, idsField);
    if (!(idsType instanceof ArrayType array && integral(array.elementType()))) {
      throw new InputException(file.path() + ": " + (idsType == null ? "no ids column '" + idsField + "'"
          : "ids column '" + idsField + "' is " + idsType.simpleString()) + " (an array<int> or array<bigint> "
          + "column of token ids; choose it with --ids-field; columns: " + Arrays.toString(schema.fieldNames()) + ")");
    }
    Column ids = col(idsField);
    Column firstNull = coalesce(array_position(transform(ids, Column::isNull), true), lit(0L)).minus(1).cast("int");
    return table.select(
        lit(file.path()).as("path"),
        col("_metadata.row_index").as("row"),
        col(idField).cast("string").as("id"),
        transform(ids, x -> coalesce(x, lit(0)).cast("bigint")).as("ids"),
        firstNull.as("firstNull"))
        .as(Encoders.bean(IdsRow.class));
  }

  private static DataType typeOf(StructType schema, String name) {
    for (StructField f : schema.fields()) {
      if (f.name().equals(name)) {
        return f.dataType();
      }
    }
    return null;
  }

  private static boolean integral(DataType t) {
    return t == DataTypes.IntegerType || t == DataTypes.LongType || t == DataTypes.ShortType
        || t == DataTypes.ByteType;
  }
}
