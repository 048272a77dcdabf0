package io.seqattn.udfs;

import io.seqattn.core.loader.NetworkDirectory;
import io.seqattn.core.network.Network;
import io.seqattn.core.network.SequenceAttention;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Transformer;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.param.BooleanParam;
import org.apache.spark.ml.param.IntParam;
import org.apache.spark.ml.param.Param;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.param.ParamValidators;
import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.DefaultParamsReader$;
import org.apache.spark.ml.util.DefaultParamsWriter$;
import org.apache.spark.ml.util.Identifiable$;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
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
 * Saved and loaded with the pipeline: by default the model directory's files are stored inside the
 * saved stage ({@code model/} beside Spark's {@code metadata/}, on whatever Hadoop file system the
 * pipeline is saved to), so the pipeline loads on another cluster without the original directory;
 * loading copies them to a local temporary directory (removed when the JVM exits) and points
 * {@code modelDir} at it. With {@code storeModel = false} only the path is saved, and the directory
 * must be there when the pipeline is loaded (pipelines saved before {@code storeModel} existed load
 * this way).
 */
public final class LinearAttentionEncoder extends Transformer implements MLWritable {
  private final String uid;
  private Param<String> inputCol;
  private Param<String> outputCol;
  private Param<String> modelDir;
  private IntParam chunkSize;
  private IntParam maxTokens;
  private BooleanParam storeModel;

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
    storeModel = new BooleanParam(this, "storeModel", "save the model directory's files with the stage (true), or "
        + "only its path (false)");
    setDefault(outputCol, uid + "__output");
    setDefault(storeModel, true);
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

  public BooleanParam storeModel() {
    return storeModel;
  }

  public String getInputCol() {
    return $(inputCol);
  }

  public String getOutputCol() {
    return $(outputCol);
  }

  public String getModelDir() {
    return $(modelDir);
  }

  public int getChunkSize() {
    return (Integer) $(chunkSize);
  }

  public int getMaxTokens() {
    return (Integer) $(maxTokens);
  }

  public boolean getStoreModel() {
    return (Boolean) $(storeModel);
  }

  public LinearAttentionEncoder setStoreModel(boolean value) {
    set(storeModel, value);
    return this;
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

  @Override
  public MLWriter write() {
    return new Writer(this);
  }

  public static MLReader<LinearAttentionEncoder> read() {
    return new Reader();
  }

  public static LinearAttentionEncoder load(String path) {
    return read().load(path);
  }

  /** The directory inside a saved stage that holds the model directory's files. */
  static final String STORED_MODEL = "model";

  /** Spark's params metadata, then (with {@code storeModel}) a copy of the model directory. */
  private static final class Writer extends MLWriter {
    private final LinearAttentionEncoder stage;

    Writer(LinearAttentionEncoder stage) {
      this.stage = stage;
    }

    @Override
    public void saveImpl(String path) {
      DefaultParamsWriter$.MODULE$.saveMetadata(stage, path, sparkSession());
      if (stage.getStoreModel()) {
        if (!stage.isDefined(stage.modelDir)) {
          throw new IllegalArgumentException("LinearAttentionEncoder: modelDir is not set, so there is no model to store");
        }
        org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(path, STORED_MODEL);
        try {
          Path local = Path.of(stage.getModelDir()).toAbsolutePath();
          if (!Files.isRegularFile(local.resolve("config.json"))) {
            throw new IllegalArgumentException("LinearAttentionEncoder: modelDir " + local + " is not a model directory "
                + "(no config.json)");
          }
          FileSystem fs = target.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
          fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), target);
        } catch (IOException e) {
          throw new UncheckedIOException("LinearAttentionEncoder: cannot store the model in " + target, e);
        }
      }
    }
  }

  /** Spark's params metadata; a stored model copied to a local directory that {@code modelDir} then names. */
  private static final class Reader extends MLReader<LinearAttentionEncoder> {
    @Override
    public LinearAttentionEncoder load(String path) {
      DefaultParamsReader.Metadata metadata = DefaultParamsReader$.MODULE$.loadMetadata(path, sparkSession(),
          LinearAttentionEncoder.class.getName());
      LinearAttentionEncoder stage = new LinearAttentionEncoder(metadata.uid());
      metadata.getAndSetParams(stage, scala.Option.empty());
      org.apache.hadoop.fs.Path stored = new org.apache.hadoop.fs.Path(path, STORED_MODEL);
      try {
        FileSystem fs = stored.getFileSystem(sparkSession().sparkContext().hadoopConfiguration());
        if (fs.isDirectory(stored)) {
          Path local = Files.createTempDirectory("seqattn-model-");
          deleteOnExit(local);
          Path copy = local.resolve(STORED_MODEL);
          fs.copyToLocalFile(false, stored, new org.apache.hadoop.fs.Path(copy.toUri()), true);
          stage.setModelDir(copy.toString());
        }
      } catch (IOException e) {
        throw new UncheckedIOException("LinearAttentionEncoder: cannot read the stored model in " + stored, e);
      }
      return stage;
    }

    private static void deleteOnExit(Path dir) {
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try (java.util.stream.Stream<Path> all = Files.walk(dir)) {
          all.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          // a temporary directory left behind; nothing to report at exit
        }
      }, "seqattn-model-cleanup"));
    }
  }
}
