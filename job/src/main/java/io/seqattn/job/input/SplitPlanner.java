package io.seqattn.job.input;

import io.seqattn.core.model.TokenizerSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Plans the read tasks of a run. An uncompressed or BGZF-compressed FASTA file read with the DNA
 * tokenizer is split by its .fai index (and, for BGZF, its .gzi block index) (built and saved beside the file when missing or older than it): every record is
 * cut into pieces of at most {@code chunksPerTask} chunks, and consecutive small records are packed
 * into one task until it holds that many chunks' worth of tokens — so one huge record spreads over
 * many tasks and ten thousand tiny ones do not make ten thousand tasks. Everything else is read
 * whole, one task per file.
 *
 * <p>Chunk boundaries are those of a sequential read (chunk c holds tokens [c·C, (c+1)·C)), and a
 * piece starting at chunk c starts reading at base c·C·stride, so its first k − 1 bases overlap the
 * previous piece: split and sequential reads give identical tokens.
 */
public final class SplitPlanner {
  private final TokenizerSpec tokenizer;
  private final int chunkSize;
  private final int chunksPerTask;
  private final Validation validation;

  public SplitPlanner(TokenizerSpec tokenizer, int chunkSize, int chunksPerTask) {
    this(tokenizer, chunkSize, chunksPerTask, Validation.STRICT);
  }

  /**
   * Under lenient validation a FASTA file that cannot be indexed (uneven lines, a bad character) is
   * read whole instead, so its well-formed records are kept and the bad ones skipped one by one.
   */
  public SplitPlanner(TokenizerSpec tokenizer, int chunkSize, int chunksPerTask, Validation validation) {
    this.validation = validation;
    if (chunksPerTask < 1) {
      throw new IllegalArgumentException("chunks per task must be >= 1, got " + chunksPerTask);
    }
    this.tokenizer = tokenizer;
    this.chunkSize = chunkSize;
    this.chunksPerTask = chunksPerTask;
  }

  public List<ReadTask> plan(List<InputFile> files) throws IOException {
    List<ReadTask> tasks = new ArrayList<>();
    for (InputFile file : files) {
      if (splittable(file)) {
        FastaIndex index;
        try {
          index = indexOf(file.path());
        } catch (InputException e) {
          if (validation == Validation.STRICT) {
            throw e;
          }
          tasks.add(new ReadTask.WholeFile(file));
          continue;
        }
        tasks.addAll(split(file, index));
      } else {
        tasks.add(new ReadTask.WholeFile(file));
      }
    }
    return tasks;
  }

  /** Uncompressed or BGZF FASTA read with the DNA tokenizer; plain gzip cannot be entered mid-stream. */
  boolean splittable(InputFile file) throws IOException {
    return file.format() == InputFormat.FASTA && tokenizer.type() == TokenizerSpec.Type.DNA
        && (!InputFormat.isCompressedName(file.path()) || Bgzf.isBgzf(file.path()));
  }

  /**
   * The file's index: its .fai when present and up to date, else a fresh one, saved when possible.
   * For a BGZF file its .gzi block index is checked (and built) too, so tasks never build it. An
   * index that is newer than the file is still checked against it before it is trusted
   * ({@link FastaIndex#verify}, {@link Bgzf.BlockIndex#of}): being newer is what {@code cp -p} and
   * {@code tar -x} leave, whatever the file now holds.
   */
  public static FastaIndex indexOf(Path fasta) throws IOException {
    return indexOf(fasta.toString());
  }

  /** {@link #indexOf(Path)} of a file on any storage ({@link Storage}). */
  public static FastaIndex indexOf(String fasta) throws IOException {
    if (Bgzf.isBgzf(fasta)) {
      Bgzf.BlockIndex.of(fasta);
    }
    String fai = FastaIndex.indexPathOf(fasta);
    if (Storage.exists(fai) && Storage.modified(fai) >= Storage.modified(fasta)) {
      FastaIndex index = FastaIndex.read(fai);
      index.verify(fasta, fai);
      return index;
    }
    FastaIndex index = FastaIndex.build(fasta);
    try {
      index.write(fai);
    } catch (IOException e) {
      // a read-only input directory (or file system): use the index without keeping it
    }
    return index;
  }

  /** Tokens of a record of {@code length} bases. */
  long tokens(long length) {
    return length < tokenizer.k() ? 0 : (length - tokenizer.k()) / tokenizer.stride() + 1;
  }

  List<ReadTask> split(InputFile file, FastaIndex index) {
    List<ReadTask> tasks = new ArrayList<>();
    List<ReadTask.Piece> packed = new ArrayList<>();
    long packedTokens = 0;
    long budget = (long) chunksPerTask * chunkSize;
    for (FastaIndex.Entry e : index.entries()) {
      long tokens = tokens(e.length());
      long chunks = Math.max(1, (tokens + chunkSize - 1) / chunkSize);
      for (long from = 0; from < chunks; from += chunksPerTask) {
        long to = Math.min(chunks, from + chunksPerTask);
        long pieceTokens = Math.min(tokens, to * chunkSize) - from * chunkSize;
        if (packedTokens > 0 && packedTokens + pieceTokens > budget) {
          tasks.add(new ReadTask.FastaPieces(file, List.copyOf(packed)));
          packed.clear();
          packedTokens = 0;
        }
        packed.add(new ReadTask.Piece(e, from, to));
        packedTokens += Math.max(pieceTokens, 1);
      }
    }
    if (!packed.isEmpty()) {
      tasks.add(new ReadTask.FastaPieces(file, List.copyOf(packed)));
    }
    return tasks;
  }
}
