package io.seqattn.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.io.Npy;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.io.NpyArray;
import io.seqattn.job.plan.OutputTables;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code seqattn export}: one sequence's state and embedding from a run directory, as NumPy files. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Writes one sequence's state and embedding as NumPy files:",
        "s.npy [heads, m, d_head] float64, z.npy [heads, m] float64, embedding.npy [d_embed] float32, meta.json;",
        "when S or z would overflow double (exp-feature maps on extreme inputs) they are written scaled, with "
            + "log_scale.npy [heads]: S = exp(log_scale[h]) * s[h];",
        "with --positions FROM:TO also outputs.npy [TO-FROM, heads*d_head] float32 (needs a run with --emit-outputs)."})
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory written by 'seqattn run'.")
  String run;

  @Option(names = "--seq-id", required = true, paramLabel = "ID", description = "The sequence to export.")
  String seqId;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Directory for the .npy files.")
  Path out;

  @Option(names = "--master", paramLabel = "URL", description = "Spark master (default: local[1]).")
  String master;

  @Option(names = "--positions", paramLabel = "FROM:TO",
      description = "Also export the outputs of positions [FROM, TO) (token positions, 0-based).")
  String positions;

  @Override
  public Integer call() throws Exception {
    Path runDir = Path.of(run);
    if (!Files.isDirectory(runDir.resolve("states")) || !Files.isDirectory(runDir.resolve("embeddings"))) {
      throw new SeqAttn.UserException(run + ": not a seqattn run directory (no states/ and embeddings/)");
    }
    try (SparkSessions.Handle session = SparkSessions.open("seqattn export", master == null ? "local[1]" : master, null)) {
      SparkSession spark = session.session();
      List<Row> heads = spark.read().parquet(runDir.resolve("states").toString())
          .where(functions.col("seq_id").equalTo(seqId)).orderBy("head").collectAsList();
      if (heads.isEmpty()) {
        List<String> some = spark.read().parquet(runDir.resolve("states").toString()).select("seq_id").distinct()
            .orderBy("seq_id").limit(5).as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
        throw new SeqAttn.UserException(run + ": no sequence '" + seqId + "' (ids include " + some + ")");
      }
      Row first = heads.get(0);
      Summary state = OutputTables.stateOf(heads);
      int m = state.m();
      int dHead = state.dHead();
      int h = state.heads();
      // The statistics themselves when they are finite in double; otherwise the stored scaled
      // values, with log_scale.npy to undo the scaling: S = exp(log_scale[h]) * s[h].
      double[][] unscaled = state.unscaled();
      double[] s = unscaled != null ? unscaled[0] : state.s();
      double[] z = unscaled != null ? unscaled[1] : state.z();
      Row emb = spark.read().parquet(runDir.resolve("embeddings").toString())
          .where(functions.col("seq_id").equalTo(seqId)).select("embedding").first();

      Files.createDirectories(out);
      Npy.write(out.resolve("s.npy"), NpyArray.ofDoubles(s, h, m, dHead));
      Npy.write(out.resolve("z.npy"), NpyArray.ofDoubles(z, h, m));
      Files.deleteIfExists(out.resolve("log_scale.npy"));
      if (unscaled == null) {
        Npy.write(out.resolve("log_scale.npy"), NpyArray.ofDoubles(state.logScale(), h));
      }
      ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode meta = json.createObjectNode();
      meta.put("seq_id", seqId);
      meta.put("tokens", first.getLong(first.fieldIndex("tokens")));
      meta.put("heads", h);
      meta.put("m", m);
      meta.put("d_head", dHead);
      meta.put("model_fingerprint", first.getString(first.fieldIndex("model_fingerprint")));
      meta.put("scaled", unscaled == null);
      if (unscaled == null) {
        meta.put("log_scale", "log_scale.npy");
        meta.put("note", "S and z overflow double: s.npy and z.npy hold them times exp(-log_scale[h]) per head");
      }
      meta.put("run", runDir.toAbsolutePath().toString());
      if (emb.isNullAt(0)) {
        meta.putNull("embedding");
        Files.deleteIfExists(out.resolve("embedding.npy"));
      } else {
        List<Float> e = emb.getList(0);
        float[] values = new float[e.size()];
        for (int i = 0; i < values.length; i++) {
          values[i] = e.get(i);
        }
        Npy.write(out.resolve("embedding.npy"), NpyArray.ofFloats(values, values.length));
        meta.put("embedding", "embedding.npy");
      }
      if (positions != null) {
        long[] range = parseRange(positions, first.getLong(first.fieldIndex("tokens")));
        Npy.write(out.resolve("outputs.npy"), outputsOf(spark, runDir, range[0], range[1]));
        meta.put("positions_from", range[0]);
        meta.put("positions_to", range[1]);
        meta.put("outputs", "outputs.npy");
      }
      json.writeValue(out.resolve("meta.json").toFile(), meta);
      System.err.printf("seqattn: exported '%s' (%d tokens) to %s%n", seqId, first.getLong(first.fieldIndex("tokens")), out);
      return 0;
    }
  }

  static long[] parseRange(String text, long tokens) {
    String[] parts = text.split(":", -1);
    long from;
    long to;
    try {
      if (parts.length != 2) {
        throw new NumberFormatException();
      }
      from = Long.parseLong(parts[0].strip());
      to = Long.parseLong(parts[1].strip());
    } catch (NumberFormatException e) {
      throw new SeqAttn.UserException("--positions must be FROM:TO (two integers), got '" + text + "'");
    }
    if (from < 0 || to <= from || to > tokens) {
      throw new SeqAttn.UserException("--positions " + text + " is not a non-empty range within [0, " + tokens
          + ") of sequence tokens");
    }
    return new long[] {from, to};
  }

  /** The rows [from, to) of the sequence's outputs, stitched from the chunks that overlap them. */
  private NpyArray outputsOf(SparkSession spark, Path runDir, long from, long to) {
    Path outputs = runDir.resolve("outputs");
    if (!Files.isDirectory(outputs)) {
      throw new SeqAttn.UserException(run + ": has no outputs/ (run with --emit-outputs to export positions)");
    }
    List<Row> chunks = spark.read().parquet(outputs.toString())
        .where(functions.col("seq_id").equalTo(seqId)
            .and(functions.col("start").lt(to))
            .and(functions.col("start").plus(functions.col("tokens")).gt(from)))
        .orderBy("start").collectAsList();
    if (chunks.isEmpty()) {
      throw new SeqAttn.UserException(run + ": no outputs for '" + seqId + "' in positions " + from + ":" + to);
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
    return NpyArray.ofFloats(values, rows, width);
  }
}
