package io.seqattn.job.source;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.input.FastaOptions;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The options of {@code spark.read().format("seqattn-fasta")}, validated once on the driver:
 *
 * <ul>
 *   <li>{@code k} (required, 1–15) and {@code stride} (default 1): the k-mer tokenizer, as the
 *       model's {@code tokenizer} in its config.json;</li>
 *   <li>{@code chunkSize} (default 65,536): tokens per chunk — chunk c holds tokens [c·C, (c+1)·C)
 *       of its sequence, as in {@code seqattn run --chunk-size};</li>
 *   <li>{@code skipN} (default false): k-mers over N become absent positions (token −1) instead of
 *       an error, as {@code --skip-n};</li>
 *   <li>{@code path} or {@code paths}: what {@code load(…)} was given — files, directories (their
 *       FASTA files) or globs, local or on any Hadoop file system.</li>
 * </ul>
 *
 * An unknown option is refused, so a misspelt {@code chunksize} does not silently read with the
 * default.
 */
record FastaSourceOptions(TokenizerSpec tokenizer, int chunkSize, FastaOptions fasta, List<String> paths)
    implements Serializable {
  static final int DEFAULT_CHUNK_SIZE = 65_536;
  private static final Set<String> KNOWN = Set.of("k", "stride", "chunksize", "skipn", "path", "paths");

  /** Parses Spark's options (keys arrive lower-cased from a case-insensitive map). */
  static FastaSourceOptions parse(Map<String, String> options) {
    for (String key : options.keySet()) {
      if (!KNOWN.contains(key.toLowerCase(java.util.Locale.ROOT))) {
        throw new IllegalArgumentException("seqattn-fasta: unknown option '" + key
            + "' (options: k, stride, chunkSize, skipN)");
      }
    }
    String k = get(options, "k");
    if (k == null) {
      throw new IllegalArgumentException("seqattn-fasta: option k is required: the k-mer length of the model's "
          + "tokenizer (.option(\"k\", 5))");
    }
    int kmer = integer("k", k, 1, TokenizerSpec.MAX_K);
    int stride = integer("stride", get(options, "stride") == null ? "1" : get(options, "stride"), 1, Integer.MAX_VALUE);
    String cs = get(options, "chunksize");
    int chunkSize = cs == null ? DEFAULT_CHUNK_SIZE : integer("chunkSize", cs, 1, Integer.MAX_VALUE);
    String skip = get(options, "skipn");
    if (skip != null && !skip.equalsIgnoreCase("true") && !skip.equalsIgnoreCase("false")) {
      throw new IllegalArgumentException("seqattn-fasta: option skipN must be true or false, got '" + skip + "'");
    }
    List<String> paths = new ArrayList<>();
    if (get(options, "path") != null) {
      paths.add(get(options, "path"));
    }
    if (get(options, "paths") != null) {
      try {
        for (String p : new ObjectMapper().readValue(get(options, "paths"), String[].class)) {
          paths.add(p);
        }
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("seqattn-fasta: option paths is not a JSON array of strings", e);
      }
    }
    if (paths.isEmpty()) {
      throw new IllegalArgumentException("seqattn-fasta: no input: load(\"genomes/*.fa\") names the FASTA files");
    }
    return new FastaSourceOptions(TokenizerSpec.dna(kmer, stride), chunkSize,
        new FastaOptions(Boolean.parseBoolean(skip), false), List.copyOf(paths));
  }

  private static String get(Map<String, String> options, String lowerKey) {
    for (Map.Entry<String, String> e : options.entrySet()) {
      if (e.getKey().equalsIgnoreCase(lowerKey)) {
        return e.getValue();
      }
    }
    return null;
  }

  private static int integer(String name, String value, int min, int max) {
    try {
      int v = Integer.parseInt(value.strip());
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("seqattn-fasta: option " + name + " must be an integer from " + min + " to "
        + max + ", got '" + value + "'");
  }
}
