package io.seqattn.job.source;

import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.ReadTask;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.SplitPlanner;
import io.seqattn.job.input.Storage;
import io.seqattn.job.input.Validation;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.connector.catalog.SupportsRead;
import org.apache.spark.sql.connector.catalog.TableCapability;
import org.apache.spark.sql.connector.read.Batch;
import org.apache.spark.sql.connector.read.InputPartition;
import org.apache.spark.sql.connector.read.PartitionReaderFactory;
import org.apache.spark.sql.connector.read.Scan;
import org.apache.spark.sql.connector.read.ScanBuilder;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;

/**
 * The FASTA files of one {@code load(…)} as a table that is read in one batch: no filters or
 * columns are pushed down (every row is a chunk that has to be tokenized anyway), so the table,
 * its scan builder, scan and batch are one object. Input partitions are the CLI's read tasks
 * ({@link SplitPlanner}), planned on the driver when the query runs.
 */
final class FastaTable implements SupportsRead, ScanBuilder, Scan, Batch {
  /** Chunks per read task of an index-split file: the CLI's. */
  static final int CHUNKS_PER_TASK = 16;

  private final FastaSourceOptions options;

  FastaTable(FastaSourceOptions options) {
    this.options = options;
  }

  @Override
  public String name() {
    return FastaDataSource.NAME + " " + String.join(", ", options.paths());
  }

  @Override
  public StructType schema() {
    return FastaDataSource.SCHEMA;
  }

  @Override
  public Set<TableCapability> capabilities() {
    return Set.of(TableCapability.BATCH_READ);
  }

  @Override
  public ScanBuilder newScanBuilder(CaseInsensitiveStringMap ignored) {
    return this;
  }

  @Override
  public Scan build() {
    return this;
  }

  @Override
  public StructType readSchema() {
    return FastaDataSource.SCHEMA;
  }

  @Override
  public String description() {
    return name() + " (k=" + options.tokenizer().k() + ", stride=" + options.tokenizer().stride() + ", chunkSize="
        + options.chunkSize() + ")";
  }

  @Override
  public Batch toBatch() {
    return this;
  }

  private Readers readers() {
    return new Readers(options.tokenizer(), options.chunkSize(), "id", "text", Validation.STRICT, options.fasta());
  }

  @Override
  public InputPartition[] planInputPartitions() {
    Storage.configure(SparkSession.active().sparkContext().hadoopConfiguration());
    try {
      List<ReadTask> tasks = new SplitPlanner(options.tokenizer(), options.chunkSize(), CHUNKS_PER_TASK,
          Validation.STRICT).plan(files());
      return tasks.stream().map(FastaPartition::new).toArray(InputPartition[]::new);
    } catch (IOException e) {
      throw new UncheckedIOException(FastaDataSource.NAME + ": " + e.getMessage(), e);
    }
  }

  /** The FASTA files the paths name; a directory or glob contributes its files with FASTA suffixes. */
  private List<InputFile> files() throws IOException {
    List<InputFile> files = new ArrayList<>();
    for (String path : options.paths()) {
      List<String> found;
      try {
        found = Storage.expand(path);
      } catch (FileNotFoundException e) {
        throw new IllegalArgumentException(FastaDataSource.NAME + ": " + e.getMessage(), e);
      }
      boolean named = found.size() == 1 && !Storage.isDirectory(path) && found.get(0).equals(Storage.absolute(path));
      List<String> fasta = named ? found
          : found.stream().filter(f -> InputFormat.FASTA.accepts(Storage.fileName(f))).toList();
      if (fasta.isEmpty()) {
        throw new IllegalArgumentException(FastaDataSource.NAME + ": " + path + ": no FASTA files ("
            + String.join(", ", InputFormat.FASTA.suffixes()) + ")");
      }
      fasta.forEach(f -> files.add(new InputFile(f, InputFormat.FASTA)));
    }
    return files;
  }

  @Override
  public PartitionReaderFactory createReaderFactory() {
    return new FastaPartitionReader.Factory(readers(),
        new Storage.Shipped(SparkSession.active().sparkContext().hadoopConfiguration()));
  }

  /** One read task as an input partition. */
  record FastaPartition(ReadTask task) implements InputPartition {}
}
