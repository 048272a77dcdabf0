package io.seqattn.job.cli;

import io.seqattn.job.input.Bgzf;
import io.seqattn.job.input.FastaIndex;
import io.seqattn.job.input.Storage;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code seqattn index}: writes a samtools-compatible .fai beside each FASTA file, and for a
 * BGZF-compressed one its .gzi block index too (what {@code samtools faidx} writes).
 */
@Command(name = "index", mixinStandardHelpOptions = true,
    description = {"Writes FILE.fai (samtools faidx format: name, length, offset, linebases, linewidth) in one "
        + "streaming pass, checking that lines are of equal length and characters are IUPAC codes.",
        "For a BGZF-compressed file (bgzip) also FILE.gzi, the block index that lets tasks start mid-file.",
        "'seqattn run' uses the index to split large records across tasks; it builds one when missing."})
final class IndexCommand implements Callable<Integer> {

  @Parameters(arity = "1..*", paramLabel = "FILE", description = "Uncompressed or BGZF-compressed FASTA files.")
  List<String> files;

  @Override
  public Integer call() throws Exception {
    for (String file : files) {
      if (!Storage.isReadableFile(file)) {
        throw new SeqAttn.UserException(file + ": no such file");
      }
      FastaIndex index = FastaIndex.build(file);
      String fai = FastaIndex.indexPathOf(file);
      index.write(fai);
      if (Bgzf.isBgzf(file)) {
        Bgzf.BlockIndex.build(file).write(Bgzf.indexPathOf(file));
      }
      long bases = index.entries().stream().mapToLong(FastaIndex.Entry::length).sum();
      System.err.printf("seqattn: %s: %d records, %d bases%n", fai, index.entries().size(), bases);
    }
    return 0;
  }
}
