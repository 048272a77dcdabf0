package io.seqattn.job.plan;

import java.io.IOException;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * A finished run directory, for the commands that read one ({@code export}, {@code digest},
 * {@code run --continue-from}): where each of its tables is and whether it has them. The layout
 * itself — the tables' names and schemas — is {@link OutputTables}'; this is its one reader. Paths
 * go through Hadoop's {@link FileSystem}, so a run on any file system Spark writes to can be read.
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
