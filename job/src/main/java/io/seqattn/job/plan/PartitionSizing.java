package io.seqattn.job.plan;

import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.ReadTask;
import io.seqattn.job.input.Storage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * How many partitions a run spreads its chunks over when {@code --partitions} is not given: at
 * least Spark's default parallelism, and enough that no partition holds more than about
 * {@value #TOKENS_PER_PARTITION} tokens, rounded up to a whole number of waves — a multiple of the
 * default parallelism — so the last wave of a pass does not leave task slots idle (C. elegans chrX,
 * 17.7 M tokens on two cores: five partitions ran in three waves, the last on one core). Spark's own file sources size partitions by bytes
 * ({@code spark.sql.files.maxPartitionBytes}) for the same reason: with a fixed count, a task's share,
 * and the heap it needs to sort and cache it, grows with the input — a 280 M-token genome on two
 * partitions ran out of a 1 GB heap while caching one. The partition count never changes a result
 * (chunks are merged in sequence order whatever partition holds them), so it can follow the input.
 *
 * <p>The size is estimated on the driver before anything is read: an indexed FASTA file's read
 * tasks name their chunks exactly; a whole file counts one token per byte, a gzip file
 * {@value #GZIP_RATIO} per compressed byte (DNA compresses about 3.5-fold; text tokenizes to fewer
 * tokens than bytes), so the estimate errs towards more, smaller partitions.
 */
final class PartitionSizing {
  /** Tokens per partition the default aims at: 16 MB of token ids, 64 chunks of the default size. */
  static final long TOKENS_PER_PARTITION = 1L << 22;
  /** Assumed tokens per compressed byte of a gzip or BGZF file. */
  static final long GZIP_RATIO = 4;

  private PartitionSizing() {}

  /** The partition count for {@code tokens} estimated tokens, given Spark's default parallelism. */
  static int partitions(long tokens, int defaultParallelism) {
    long slots = Math.max(1, defaultParallelism);
    long needed = (tokens + TOKENS_PER_PARTITION - 1) / TOKENS_PER_PARTITION;
    long waves = Math.max(1, (needed + slots - 1) / slots);
    return (int) Math.min(waves * slots, Integer.MAX_VALUE);
  }

  /** An upper estimate of the tokens the read tasks and Parquet inputs hold, at {@code chunkSize} tokens a chunk. */
  static long estimatedTokens(List<ReadTask> tasks, List<InputFile> parquet, int chunkSize) {
    long tokens = 0;
    for (ReadTask task : tasks) {
      if (task instanceof ReadTask.FastaPieces pieces) {
        for (ReadTask.Piece p : pieces.pieces()) {
          tokens += (p.chunkTo() - p.chunkFrom()) * (long) chunkSize;
        }
      } else if (task instanceof ReadTask.WholeFile whole) {
        tokens += bytes(whole.file());
      }
    }
    for (InputFile table : parquet) {
      tokens += bytes(table);
    }
    return tokens;
  }

  /** The file's size in bytes (a directory's: its files'), times {@value #GZIP_RATIO} when it is gzip. */
  private static long bytes(InputFile file) {
    try {
      if (Storage.isDirectory(file.path())) {
        return Storage.totalSize(file.path());
      }
      long size = Storage.size(file.path());
      return InputFormat.isCompressedName(file.path()) ? size * GZIP_RATIO : size;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
