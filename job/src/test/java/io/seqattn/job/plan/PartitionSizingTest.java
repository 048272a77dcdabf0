package io.seqattn.job.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.seqattn.job.input.FastaIndex;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import io.seqattn.job.input.ReadTask;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The default partition count follows the input's size, so a task's share of it stays bounded. */
class PartitionSizingTest {
  private static final long PER = PartitionSizing.TOKENS_PER_PARTITION;

  @Test
  void smallInputsKeepTheDefaultParallelism() {
    assertEquals(2, PartitionSizing.partitions(0, 2));
    assertEquals(2, PartitionSizing.partitions(PER + 1, 2));
    assertEquals(1, PartitionSizing.partitions(10, 0));
  }

  @Test
  void largeInputsGetOnePartitionPerTokensPerPartitionInWholeWaves() {
    assertEquals(4, PartitionSizing.partitions(2 * PER + 1, 2));
    assertEquals(3, PartitionSizing.partitions(2 * PER + 1, 1));
    assertEquals(6, PartitionSizing.partitions(5 * PER, 3));
    // C. elegans chrX on two cores: 6 partitions, three full waves, not 5
    assertEquals(6, PartitionSizing.partitions(17_718_847L, 2));
    // 280 M tokens, the genome that ran out of a 1 GB heap on two partitions
    assertEquals(68, PartitionSizing.partitions(280_000_000L, 2));
  }

  @Test
  void indexedPiecesCountTheirChunksAndWholeFilesTheirBytes(@TempDir Path dir) throws Exception {
    Path plain = Files.write(dir.resolve("a.fa"), new byte[1000]);
    Path gzip = Files.write(dir.resolve("b.fa.gz"), new byte[100]);
    FastaIndex.Entry entry = new FastaIndex.Entry("chr1", 1_000_000, 6, 80, 81);
    List<ReadTask> tasks = List.of(
        new ReadTask.WholeFile(new InputFile(plain.toString(), InputFormat.FASTA)),
        new ReadTask.WholeFile(new InputFile(gzip.toString(), InputFormat.FASTA)),
        new ReadTask.FastaPieces(new InputFile(plain.toString(), InputFormat.FASTA),
            List.of(new ReadTask.Piece(entry, 0, 3), new ReadTask.Piece(entry, 5, 6))));
    assertEquals(1000 + 100 * PartitionSizing.GZIP_RATIO + 4 * 512,
        PartitionSizing.estimatedTokens(tasks, List.of(), 512));
  }

  @Test
  void aParquetDirectoryCountsItsFiles(@TempDir Path dir) throws Exception {
    Path table = Files.createDirectories(dir.resolve("ids.parquet"));
    Files.write(table.resolve("part-0.parquet"), new byte[300]);
    Files.write(table.resolve("part-1.parquet"), new byte[200]);
    assertEquals(500, PartitionSizing.estimatedTokens(List.of(),
        List.of(new InputFile(table.toString(), InputFormat.IDS)), 512));
  }
}
