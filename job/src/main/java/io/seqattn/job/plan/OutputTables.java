package io.seqattn.job.plan;

import io.seqattn.core.attention.Summary;
import io.seqattn.udfs.ChunkKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;

/**
 * The Parquet tables of a run directory and their schemas, documented in README:
 * {@code states} (one row per sequence, layer and head), {@code embeddings} (one row per sequence, with
 * passthrough fields as a struct) and {@code outputs} (one row per chunk).
 */
public final class OutputTables {
  /** The tables' directory names inside a run directory. */
  public static final String STATES_TABLE = "states";
  public static final String EMBEDDINGS_TABLE = "embeddings";
  public static final String OUTPUTS_TABLE = "outputs";

  static final StructType STATES = new StructType()
      .add("seq_id", DataTypes.StringType, false)
      .add("layer", DataTypes.IntegerType, false)
      .add("head", DataTypes.IntegerType, false)
      .add("tokens", DataTypes.LongType, false)
      .add("mode", DataTypes.StringType, false)
      .add("log_decay", DataTypes.DoubleType, false)
      .add("log_decay_per_dim", DataTypes.createArrayType(DataTypes.DoubleType, false), true)
      .add("log_scale", DataTypes.DoubleType, false)
      .add("m", DataTypes.IntegerType, false)
      .add("d_head", DataTypes.IntegerType, false)
      .add("s", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("z", DataTypes.createArrayType(DataTypes.DoubleType, false), false)
      .add("model_fingerprint", DataTypes.StringType, false);

  static final StructType EMBEDDINGS_RAW = new StructType()
      .add("seq_id", DataTypes.StringType, false)
      .add("length", DataTypes.LongType, false)
      .add("embedding", DataTypes.createArrayType(DataTypes.FloatType, false), true)
      .add("source", DataTypes.StringType, false)
      .add("non_positive_normalizers", DataTypes.LongType, false)
      .add("fields_json", DataTypes.StringType, true);

  static final StructType OUTPUTS = new StructType()
      .add("seq_id", DataTypes.StringType, false)
      .add("chunk", DataTypes.IntegerType, false)
      .add("start", DataTypes.LongType, false)
      .add("tokens", DataTypes.IntegerType, false)
      .add("width", DataTypes.IntegerType, false)
      .add("output", DataTypes.createArrayType(DataTypes.FloatType, false), false);

  private final SparkSession spark;
  private final String fingerprint;
  private final String mode;

  OutputTables(SparkSession spark, String fingerprint, String mode) {
    this.spark = spark;
    this.fingerprint = fingerprint;
    this.mode = mode;
  }

  /**
   * The final states of the layers that keep one (by layer index) as rows, one per sequence, layer
   * and head: {@code log_decay} is the
   * head's ℓ, or 0 and {@code log_decay_per_dim} its m values when the decay is per key dimension.
   */
  Dataset<Row> states(Map<Integer, JavaPairRDD<String, Summary>> layers) {
    String fp = fingerprint;
    String stateMode = mode;
    JavaRDD<Row> rows = null;
    for (Map.Entry<Integer, JavaPairRDD<String, Summary>> layer : layers.entrySet()) {
      int l = layer.getKey();
      JavaRDD<Row> layerRows = layer.getValue().flatMap(e -> {
        Summary s = e._2();
        List<Row> perHead = new ArrayList<>(s.heads());
        for (int h = 0; h < s.heads(); h++) {
          double[] perDim = null;
          if (s.perDimensionDecay()) {
            perDim = java.util.Arrays.copyOfRange(s.logDecay(), h * s.m(), (h + 1) * s.m());
          }
          perHead.add(RowFactory.create(e._1(), l, h, s.tokens(), stateMode,
              s.perDimensionDecay() ? 0.0 : s.logDecay()[h], perDim, s.logScale()[h], s.m(), s.dHead(),
              s.sOfHead(h), s.zOfHead(h), fp));
        }
        return perHead.iterator();
      });
      rows = rows == null ? layerRows : rows.union(layerRows);
    }
    return spark.createDataFrame(rows, STATES).sortWithinPartitions("seq_id", "layer", "head");
  }

  /** Embeddings with passthrough fields parsed into a {@code fields} struct whose schema Spark infers. */
  Dataset<Row> embeddings(JavaRDD<Row> rows) {
    Dataset<Row> raw = spark.createDataFrame(rows, EMBEDDINGS_RAW).cache();
    Dataset<String> json = raw.select("fields_json").where("fields_json IS NOT NULL").as(Encoders.STRING());
    Dataset<Row> out;
    if (json.isEmpty()) {
      out = raw.drop("fields_json");
    } else {
      StructType schema = spark.read().json(json).schema();
      Column fields = functions.from_json(functions.col("fields_json"), schema);
      out = raw.withColumn("fields", fields).drop("fields_json");
    }
    return out.sortWithinPartitions("seq_id");
  }

  /** One sequence's rows of a {@code states} table, in head order, as the summary they store. */
  public static Summary stateOf(List<Row> headRows) {
    Row first = headRows.get(0);
    int heads = headRows.size();
    int m = first.getInt(first.fieldIndex("m"));
    int dHead = first.getInt(first.fieldIndex("d_head"));
    double[] s = new double[heads * m * dHead];
    double[] z = new double[heads * m];
    List<String> columns = java.util.Arrays.asList(first.schema().fieldNames());
    boolean scaled = columns.contains("log_scale");
    boolean perDim = columns.contains("log_decay_per_dim") && !first.isNullAt(first.fieldIndex("log_decay_per_dim"));
    double[] logDecay = new double[perDim ? heads * m : heads];
    double[] logScale = new double[heads];
    for (int h = 0; h < heads; h++) {
      Row r = headRows.get(h);
      if (perDim) {
        List<Double> l = r.getList(r.fieldIndex("log_decay_per_dim"));
        for (int a = 0; a < m; a++) {
          logDecay[h * m + a] = l.get(a);
        }
      } else {
        logDecay[h] = r.getDouble(r.fieldIndex("log_decay"));
      }
      logScale[h] = scaled ? r.getDouble(r.fieldIndex("log_scale")) : 0.0; // runs before 0.2 stored no scale
      List<Double> sh = r.getList(r.fieldIndex("s"));
      List<Double> zh = r.getList(r.fieldIndex("z"));
      for (int i = 0; i < sh.size(); i++) {
        s[h * m * dHead + i] = sh.get(i);
      }
      for (int i = 0; i < zh.size(); i++) {
        z[h * m + i] = zh.get(i);
      }
    }
    return new Summary(heads, m, dHead, first.getLong(first.fieldIndex("tokens")), logDecay, s, z, logScale);
  }

  /** One row per chunk; with {@code softMask}, a {@code soft_masked} flag per position too. */
  Dataset<Row> outputs(JavaPairRDD<ChunkKey, ChunkResult> results, boolean softMask) {
    JavaRDD<Row> rows = results.map(e -> {
      ChunkResult r = e._2();
      int width = r.tokens() == 0 ? 0 : r.outputs().length / r.tokens();
      return softMask
          ? RowFactory.create(e._1().seqId(), e._1().index(), r.start(), r.tokens(), width, r.outputs(), r.softMasked())
          : RowFactory.create(e._1().seqId(), e._1().index(), r.start(), r.tokens(), width, r.outputs());
    });
    StructType schema = softMask
        ? OUTPUTS.add("soft_masked", DataTypes.createArrayType(DataTypes.BooleanType, false), false)
        : OUTPUTS;
    return spark.createDataFrame(rows, schema).sortWithinPartitions("seq_id", "chunk");
  }
}
