package io.seqattn.udfs;

import io.seqattn.core.loader.NetworkDirectory;
import io.seqattn.core.network.Network;
import io.seqattn.core.network.SequenceAttention;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReadable;
import org.apache.spark.ml.util.DefaultParamsWritable;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.api.java.UDF1;
import org.apache.spark.sql.expressions.UserDefinedFunction;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

/**
 * Linear attention as an MLlib stage: each row's document (a string, tokenized by the model's
 * tokenizer, or an array of token ids) becomes its pooled embedding — the mean of its attention
 * outputs, times the model's wo when it has one — as an ml {@link Vector}. The model may be a
 * one-layer (format 1) model or a deep stack (format 2, pooling its final normed output). A document longer than
 * {@code chunkSize} tokens is chunked and merged inside the stage exactly as the {@code seqattn run}
 * job does it, so any length works and the embedding is bitwise the job's at the same chunk size;
 * {@code maxTokens} truncates to the first N tokens (unset: the whole document). A document with no
 * token gets a vector of zeros.
 *
 * <p>Params: {@code inputCol}, {@code outputCol}, {@code modelDir} (read on the driver when the
 * stage transforms, then broadcast), {@code chunkSize} (default 65,536), {@code maxTokens} (0 = all).
 * Saved and loaded with the pipeline ({@code DefaultParamsWritable}); the model directory is saved
 * by path, so it must still be there when a saved pipeline is loaded.
 */
public final class LinearAttentionEncoder extends Transformer implements DefaultParamsWritable {
  private final String uid;
  private Param<String> inputCol;
  private Param<String> outputCol;
  private Param<String> modelDir;
  private IntParam chunkSize;
  private IntParam maxTokens;

  public LinearAttentionEncoder() {
    this(Identifiable$.MODULE$.randomUID("linearAttentionEncoder"));
  }

  /** The uid is set before the params are built: each param records its parent's uid. */
  public LinearAttentionEncoder(String uid) {
    this.uid = uid;
    inputCol = new Param<>(this, "inputCol", "input column: document text (string) or token ids (array<int>)");
    outputCol = new Param<>(this, "outputCol", "output column: the pooled embedding (ml Vector)");
    modelDir = new Param<>(this, "modelDir", "seqattn model directory (config.json + .npy weights)");
    chunkSize = new IntParam(this, "chunkSize", "tokens per chunk (results depend on it only through rounding)",
        ParamValidators.gtEq(1));
    maxTokens = new IntParam(this, "maxTokens", "keep only the first maxTokens tokens; 0 keeps the whole document",
        ParamValidators.gtEq(0));
    setDefault(outputCol, uid + "__output");
    setDefault(chunkSize, 65_536);
    setDefault(maxTokens, 0);
  }

  @Override
  public String uid() {
    return uid;
  }

  public Param<String> inputCol() {
    return inputCol;
  }

  public Param<String> outputCol() {
    return outputCol;
  }

  public Param<String> modelDir() {
    return modelDir;
  }

  public IntParam chunkSize() {
    return chunkSize;
  }

  public IntParam maxTokens() {
    return maxTokens;
  }

  public LinearAttentionEncoder setInputCol(String value) {
    set(inputCol, value);
    return this;
  }

  public LinearAttentionEncoder setOutputCol(String value) {
    set(outputCol, value);
    return this;
  }

  public LinearAttentionEncoder setModelDir(String value) {
    set(modelDir, value);
    return this;
  }

  public LinearAttentionEncoder setChunkSize(int value) {
    set(chunkSize, value);
    return this;
  }

  public LinearAttentionEncoder setMaxTokens(int value) {
    set(maxTokens, value);
    return this;
  }

  @Override
  public Dataset<Row> transform(Dataset<?> dataset) {
    transformSchema(dataset.schema(), true);
    SeqAttnKryo.check(dataset.sparkSession().sparkContext().getConf(), "LinearAttentionEncoder");
    Network loaded;
    try {
      loaded = NetworkDirectory.load(Path.of($(modelDir)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Broadcast<Network> b = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext()).broadcast(loaded);
    int chunk = (Integer) $(chunkSize);
    int keep = (Integer) $(maxTokens);
    boolean text = dataset.schema().apply($(inputCol)).dataType() instanceof org.apache.spark.sql.types.StringType;
    UserDefinedFunction embed = functions.udf((UDF1<Object, Vector>) doc -> {
      if (doc == null) {
        throw new IllegalArgumentException("LinearAttentionEncoder: input is null");
      }
      Network network = b.value();
      int[] tokens = text ? SqlArguments.tokenize("LinearAttentionEncoder", network.tokenizer(), (String) doc)
          : SqlArguments.ints("LinearAttentionEncoder", doc);
      if (keep > 0 && tokens.length > keep) {
        tokens = Arrays.copyOf(tokens, keep);
      }
      float[] e = new SequenceAttention(network, TaskKernels.of(network), chunk).embedding(tokens);
      double[] v = new double[network.embeddingDim()];
      for (int i = 0; e != null && i < v.length; i++) {
        v[i] = e[i];
      }
      return Vectors.dense(v);
    }, SQLDataTypes.VectorType());
    Column input = dataset.col($(inputCol));
    return dataset.withColumn($(outputCol), embed.apply(input));
  }

  @Override
  public StructType transformSchema(StructType schema) {
    if (!isDefined(modelDir)) {
      throw new IllegalArgumentException("LinearAttentionEncoder: modelDir is not set");
    }
    if (!isDefined(inputCol)) {
      throw new IllegalArgumentException("LinearAttentionEncoder: inputCol is not set");
    }
    String in = $(inputCol);
    if (!Arrays.asList(schema.fieldNames()).contains(in)) {
      throw new IllegalArgumentException("LinearAttentionEncoder: input column '" + in + "' does not exist (columns: "
          + Arrays.toString(schema.fieldNames()) + ")");
    }
    DataType type = schema.apply(in).dataType();
    boolean tokens = type instanceof ArrayType a && a.elementType().equals(DataTypes.IntegerType);
    if (!type.equals(DataTypes.StringType) && !tokens) {
      throw new IllegalArgumentException("LinearAttentionEncoder: input column '" + in + "' must be string or "
          + "array<int>, got " + type.simpleString());
    }
    if (Arrays.asList(schema.fieldNames()).contains($(outputCol))) {
      throw new IllegalArgumentException("LinearAttentionEncoder: output column '" + $(outputCol) + "' already exists");
    }
    return schema.add(new StructField($(outputCol), SQLDataTypes.VectorType(), false,
        org.apache.spark.sql.types.Metadata.empty()));
  }

  @Override
  public LinearAttentionEncoder copy(ParamMap extra) {
    return defaultCopy(extra);
  }

  public static MLReader<LinearAttentionEncoder> read() {
    return new Reader().read();
  }

  public static LinearAttentionEncoder load(String path) {
    return read().load(path);
  }

  /** Spark's default params reader, reached through its public trait. */
  private static final class Reader implements DefaultParamsReadable<LinearAttentionEncoder> {
  }
}
