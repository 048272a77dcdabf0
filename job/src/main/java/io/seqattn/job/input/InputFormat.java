package io.seqattn.job.input;

import java.util.List;
import java.util.Locale;

/** The input file formats, with the file names each accepts when a directory is given as input. */
public enum InputFormat {
  /** FASTA: many records per file, id = first word of the header. */
  FASTA(List.of(".fa", ".fasta", ".fna", ".fas", ".fa.gz", ".fasta.gz", ".fna.gz", ".fas.gz",
      ".fa.bgz", ".fasta.bgz", ".fna.bgz", ".fas.bgz")),
  /** Plain UTF-8 text: one document per file, id = the file name. */
  TEXT(List.of(".txt", ".txt.gz")),
  /** JSON Lines: one document per line, id and text taken from named fields. */
  JSONL(List.of(".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")),
  /**
   * Token ids chosen upstream, one record per JSON line or Parquet row: an id and an array of
   * integers, each below the model's vocabulary size ({@link IdsReader}).
   */
  IDS(List.of(".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz", ".parquet"));

  private final List<String> suffixes;

  InputFormat(List<String> suffixes) {
    this.suffixes = suffixes;
  }

  public boolean accepts(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    return suffixes.stream().anyMatch(lower::endsWith);
  }

  /**
   * Whether a file of this name is gzip-compressed by its name: {@code .gz}, or {@code .bgz} (the
   * suffix some pipelines give BGZF files, as tabix and Ensembl do).
   */
  public static boolean isCompressedName(String fileName) {
    String lower = fileName.toLowerCase(Locale.ROOT);
    return lower.endsWith(".gz") || lower.endsWith(".bgz");
  }

  public List<String> suffixes() {
    return suffixes;
  }

  /** The name {@code --format} takes and run.json writes. */
  @Override
  public String toString() {
    return name().toLowerCase(Locale.ROOT);
  }
}
