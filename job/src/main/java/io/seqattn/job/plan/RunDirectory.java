package io.seqattn.job.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.network.Network;
import io.seqattn.job.input.InputException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaPairRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import scala.Tuple2;

/**
 * A finished run directory, for the commands that read one ({@code export}, {@code digest},
 * {@code run --continue-from}): where each of its tables is, whether it has them, and what they
 * hold for one sequence. The layout itself — the tables' names and schemas — is
 * {@link OutputTables}'; this is its one reader. Paths go through Hadoop's {@link FileSystem}, so a
 * run on any file system Spark writes to can be read.
 */
public final class RunDirectory {
  private final String location;
  private final FileSystem fs;
  private final Path root;

  private RunDirectory(String location, FileSystem fs, Path root) {
    this.location = location;
    this.fs = fs;
    this.root = root;
  }

  /**
   * Opens {@code location} as a run directory: it must hold an {@code embeddings/} table (every
   * run writes one).
   *
   * @throws RunDirectoryException naming the location when it is not a run directory
   */
  public static RunDirectory open(String location, Configuration conf) throws IOException {
    Path root = new Path(location);
    FileSystem fs = root.getFileSystem(conf);
    if (!fs.isDirectory(new Path(root, OutputTables.EMBEDDINGS_TABLE))) {
      throw new RunDirectoryException(location + ": not a seqattn run directory (no "
          + OutputTables.EMBEDDINGS_TABLE + "/; give the --output of a finished 'seqattn run')");
    }
    return new RunDirectory(location, fs, root);
  }

  /** The location as the user gave it, for messages. */
  public String location() {
    return location;
  }

  /** The directory's fully qualified URI ({@code file:/…}, {@code hdfs://…}). */
  public String qualified() {
    return fs.makeQualified(root).toString();
  }

  /**
   * The run's {@code run.json}: what was run, on which inputs, with which model.
   *
   * @throws RunDirectoryException when the directory has none (a run that did not finish)
   */
  public JsonNode report() throws IOException {
    Path file = table("run.json");
    if (!fs.isFile(file)) {
      throw new RunDirectoryException(location + ": has no run.json (not a finished run)");
    }
    try (InputStream in = fs.open(file)) {
      return new ObjectMapper().readTree(in);
    }
  }

  public boolean hasStates() throws IOException {
    return fs.isDirectory(table(OutputTables.STATES_TABLE));
  }

  public boolean hasOutputs() throws IOException {
    return fs.isDirectory(table(OutputTables.OUTPUTS_TABLE));
  }

  /** The {@code states} table (one row per sequence and head); the run must have one ({@link #hasStates}). */
  public Dataset<Row> states(SparkSession spark) throws IOException {
    if (!hasStates()) {
      throw new RunDirectoryException(location + ": has no " + OutputTables.STATES_TABLE + "/ (exact-softmax runs "
          + "keep no state)");
    }
    return spark.read().parquet(table(OutputTables.STATES_TABLE).toString());
  }

  public Dataset<Row> embeddings(SparkSession spark) {
    return spark.read().parquet(table(OutputTables.EMBEDDINGS_TABLE).toString());
  }

  /** The {@code outputs} table; the run must have been made with {@code --emit-outputs} ({@link #hasOutputs}). */
  public Dataset<Row> outputs(SparkSession spark) throws IOException {
    if (!hasOutputs()) {
      throw new RunDirectoryException(location + ": has no " + OutputTables.OUTPUTS_TABLE + "/ (run with "
          + "--emit-outputs to keep every position's output)");
    }
    return spark.read().parquet(table(OutputTables.OUTPUTS_TABLE).toString());
  }

  /**
   * Every sequence's stored final state of one layer, to continue the sequences from: checked to
   * come from {@code network} and from a run of the same mode, with one row per head. Runs before
   * layers existed hold layer 0 only.
   *
   * @throws InputException naming the run when its states cannot be continued by this network
   */
  public JavaPairRDD<String, Summary> finalStates(SparkSession spark, Network network, int layer) throws IOException {
    Dataset<Row> rows = layer(states(spark), layer);
    String fingerprint = network.fingerprint();
    String mode = network.mode();
    for (Row r : rows.select("model_fingerprint", "mode").distinct().collectAsList()) {
      if (!fingerprint.equals(r.getString(0))) {
        throw new InputException(location + ": states come from model " + r.getString(0) + ", not the model of this "
            + "run (" + fingerprint + "); a sequence can only continue under its own model");
      }
      if (!mode.equals(r.getString(1))) {
        throw new InputException(location + ": states of a " + r.getString(1) + " run cannot be continued by a "
            + mode + " one");
      }
    }
    String where = location;
    return rows.javaRDD()
        .mapToPair(r -> new Tuple2<>(r.getString(r.fieldIndex("seq_id")), r))
        .groupByKey()
        .mapValues(headRows -> {
          List<Row> sorted = new ArrayList<>();
          headRows.forEach(sorted::add);
          sorted.sort(Comparator.comparingInt(r -> r.getInt(r.fieldIndex("head"))));
          for (int h = 0; h < sorted.size(); h++) {
            if (sorted.get(h).getInt(sorted.get(h).fieldIndex("head")) != h) {
              throw new InputException(where + ": sequence '" + sorted.get(0).getString(0) + "' has heads missing "
                  + "from layer " + layer + " of its stored state");
            }
          }
          return OutputTables.stateOf(sorted);
        });
  }

  /** The rows of one layer of a states table (all rows of a table written before layers existed). */
  private static Dataset<Row> layer(Dataset<Row> states, int layer) {
    return List.of(states.columns()).contains("layer") ? states.where(functions.col("layer").equalTo(layer))
        : states;
  }

  /** One stored sequence's state with what its rows say about it, as {@link #state} returns it. */
  public record StoredState(Summary summary, long tokens, String modelFingerprint) {}

  /**
   * One sequence's stored state.
   *
   * @throws RunDirectoryException when the run has no such sequence, naming a few it has
   */
  public StoredState state(SparkSession spark, String seqId, int layer) throws IOException {
    Dataset<Row> table = layer(states(spark), layer);
    List<Row> heads = table.where(functions.col("seq_id").equalTo(seqId)).orderBy("head").collectAsList();
    if (heads.isEmpty()) {
      List<String> some = table.select("seq_id").distinct().orderBy("seq_id").limit(5).as(Encoders.STRING())
          .collectAsList();
      throw new RunDirectoryException(location + ": no sequence '" + seqId + "'" + (some.isEmpty() ? " in layer "
          + layer : " (ids include " + some + ")"));
    }
    Row first = heads.get(0);
    return new StoredState(OutputTables.stateOf(heads), first.getLong(first.fieldIndex("tokens")),
        first.getString(first.fieldIndex("model_fingerprint")));
  }

  /** One sequence's pooled embedding, or null when it has none (no tokens). */
  public float[] embedding(SparkSession spark, String seqId) throws IOException {
    List<Row> rows = embeddings(spark).where(functions.col("seq_id").equalTo(seqId)).select("embedding")
        .collectAsList();
    if (rows.isEmpty()) {
      throw new RunDirectoryException(location + ": no sequence '" + seqId + "' in " + OutputTables.EMBEDDINGS_TABLE
          + "/");
    }
    if (rows.get(0).isNullAt(0)) {
      return null;
    }
    List<Float> e = rows.get(0).getList(0);
    float[] values = new float[e.size()];
    for (int i = 0; i < values.length; i++) {
      values[i] = e.get(i);
    }
    return values;
  }

  /** Outputs of positions [from, to) of one sequence, stitched from the chunks that overlap them. */
  public record PositionOutputs(int rows, int width, float[] values) {}

  /**
   * The outputs of token positions [from, to) of one sequence, row-major [to − from, width].
   *
   * @throws RunDirectoryException when the run kept no outputs or none of those positions
   */
  public PositionOutputs outputs(SparkSession spark, String seqId, long from, long to) throws IOException {
    List<Row> chunks = outputs(spark)
        .where(functions.col("seq_id").equalTo(seqId)
            .and(functions.col("start").lt(to))
            .and(functions.col("start").plus(functions.col("tokens")).gt(from)))
        .orderBy("start").collectAsList();
    if (chunks.isEmpty()) {
      throw new RunDirectoryException(location + ": no outputs for '" + seqId + "' in positions " + from + ":" + to);
    }
    int width = chunks.get(0).getInt(chunks.get(0).fieldIndex("width"));
    int rows = Math.toIntExact(to - from);
    float[] values = new float[Math.multiplyExact(rows, width)];
    for (Row chunk : chunks) {
      long start = chunk.getLong(chunk.fieldIndex("start"));
      List<Float> output = chunk.getList(chunk.fieldIndex("output"));
      long lo = Math.max(from, start);
      long hi = Math.min(to, start + chunk.getInt(chunk.fieldIndex("tokens")));
      for (long p = lo; p < hi; p++) {
        int src = (int) (p - start) * width;
        int dst = (int) (p - from) * width;
        for (int f = 0; f < width; f++) {
          values[dst + f] = output.get(src + f);
        }
      }
    }
    return new PositionOutputs(rows, width, values);
  }

  private Path table(String name) {
    return new Path(root, name);
  }

  /** A location that is not a (complete) run directory; the message says what is missing. */
  public static final class RunDirectoryException extends IOException {
    public RunDirectoryException(String message) {
      super(message);
    }
  }
}
