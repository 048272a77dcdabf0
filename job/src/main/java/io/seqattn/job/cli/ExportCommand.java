package io.seqattn.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.attention.Summary;
import io.seqattn.core.io.Npy;
import io.seqattn.core.io.NpyArray;
import io.seqattn.job.plan.RunDirectory;
import io.seqattn.job.tracks.BedGraphExport;
import io.seqattn.job.tracks.TrackQuantity;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code seqattn export}: one sequence's state and embedding from a run directory, as NumPy files. */
@Command(name = "export", mixinStandardHelpOptions = true,
    description = {"Writes one sequence's state and embedding as NumPy files (--out), or a genome-browser track of "
        + "a DNA run's outputs (--bedgraph).",
        "NumPy:",
        "s.npy [heads, m, d_head] float64, z.npy [heads, m] float64, embedding.npy [d_embed] float32, meta.json;",
        "when S or z would overflow double (exp-feature maps on extreme inputs) they are written scaled, with "
            + "log_scale.npy [heads]: S = exp(log_scale[h]) * s[h];",
        "with --positions FROM:TO also outputs.npy [TO-FROM, heads*d_head] float32 (needs a run with --emit-outputs).",
        "bedGraph: one line 'chrom start end value' per run of equal values, 0-based half-open base coordinates, "
            + "token p of a k-mer run with stride s covering bases [p*s, p*s+s), sorted for bedGraphToBigWig "
            + "(needs a dna run with --emit-outputs)."})
final class ExportCommand implements Callable<Integer> {

  @Option(names = "--run", required = true, paramLabel = "DIR", description = "A run directory written by 'seqattn run'.")
  String run;

  @Option(names = "--seq-id", paramLabel = "ID",
      description = "The sequence to export (required with --out; with --bedgraph, default every sequence).")
  String seqId;

  @Option(names = {"--output", "--out"}, paramLabel = "DIR",
      description = "Directory for the .npy files (--out is an alias).")
  Path out;

  @Option(names = "--bedgraph", paramLabel = "FILE",
      description = "Write a bedGraph track instead of NumPy files: a path on any Hadoop file system, or - for "
          + "standard output. Written beside FILE under a temporary name and renamed when complete.")
  String bedGraph;

  @Option(names = "--quantity", defaultValue = "norm", paramLabel = "Q",
      description = "With --bedgraph, the value per position: norm (Euclidean norm of the output row) or channel:N "
          + "(output column N, 0-based) (default: ${DEFAULT-VALUE}).")
  String quantity;

  @Option(names = "--chrom-sizes", paramLabel = "FILE",
      description = "With --bedgraph, sequence lengths from a .fai or UCSC chrom.sizes file (default: the .fai beside "
          + "each of the run's inputs).")
  String chromSizes;

  @Option(names = "--layer", defaultValue = "0", paramLabel = "L",
      description = "Which layer's state to export, 0-based (default: ${DEFAULT-VALUE}; one-layer models have 0 only).")
  int layer;

  @Mixin
  SparkOptions spark;

  @Option(names = "--positions", paramLabel = "FROM:TO",
      description = "Also export the outputs of positions [FROM, TO) (token positions, 0-based).")
  String positions;

  @Override
  public Integer call() throws Exception {
    if (bedGraph != null) {
      if (out != null || positions != null) {
        throw new SeqAttn.UserException("--bedgraph writes a track; --out and --positions belong to the NumPy export "
            + "(run export twice for both)");
      }
      return bedGraph();
    }
    if (seqId == null || out == null) {
      throw new SeqAttn.UserException("export needs --seq-id ID and --out DIR (or --bedgraph FILE for a track)");
    }
    try (SparkSessions.Handle session = spark.open("seqattn export", "local[1]")) {
      SparkSession ss = session.session();
      RunDirectory dir = RunDirectory.open(run, ss.sparkContext().hadoopConfiguration());
      RunDirectory.StoredState stored = dir.state(ss, seqId, layer);
      Summary state = stored.summary();
      int m = state.m();
      int dHead = state.dHead();
      int h = state.heads();
      // The statistics themselves when they are finite in double; otherwise the stored scaled
      // values, with log_scale.npy to undo the scaling: S = exp(log_scale[h]) * s[h].
      double[][] unscaled = state.unscaled();
      double[] s = unscaled != null ? unscaled[0] : state.s();
      double[] z = unscaled != null ? unscaled[1] : state.z();
      float[] embedding = dir.embedding(ss, seqId);

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
      meta.put("tokens", stored.tokens());
      meta.put("layer", layer);
      meta.put("heads", h);
      meta.put("m", m);
      meta.put("d_head", dHead);
      meta.put("model_fingerprint", stored.modelFingerprint());
      meta.put("scaled", unscaled == null);
      if (unscaled == null) {
        meta.put("log_scale", "log_scale.npy");
        meta.put("note", "S and z overflow double: s.npy and z.npy hold them times exp(-log_scale[h]) per head");
      }
      meta.put("run", dir.qualified());
      if (embedding == null) {
        meta.putNull("embedding");
        Files.deleteIfExists(out.resolve("embedding.npy"));
      } else {
        Npy.write(out.resolve("embedding.npy"), NpyArray.ofFloats(embedding, embedding.length));
        meta.put("embedding", "embedding.npy");
      }
      if (positions != null) {
        long[] range = parseRange(positions, stored.tokens());
        RunDirectory.PositionOutputs o = dir.outputs(ss, seqId, range[0], range[1]);
        Npy.write(out.resolve("outputs.npy"), NpyArray.ofFloats(o.values(), o.rows(), o.width()));
        meta.put("positions_from", range[0]);
        meta.put("positions_to", range[1]);
        meta.put("outputs", "outputs.npy");
      }
      json.writeValue(out.resolve("meta.json").toFile(), meta);
      System.err.printf("seqattn: exported '%s' (%d tokens) to %s%n", seqId, stored.tokens(), out);
      return 0;
    }
  }

  private int bedGraph() throws Exception {
    TrackQuantity q;
    try {
      q = TrackQuantity.parse(quantity);
    } catch (IllegalArgumentException e) {
      throw new SeqAttn.UserException(e.getMessage());
    }
    try (SparkSessions.Handle session = spark.open("seqattn export", "local[1]")) {
      SparkSession ss = session.session();
      Configuration conf = ss.sparkContext().hadoopConfiguration();
      RunDirectory dir = RunDirectory.open(run, conf);
      BedGraphExport.Request request = new BedGraphExport.Request(q, seqId, chromSizes);
      BedGraphExport.Written w;
      if (bedGraph.equals("-")) {
        w = BedGraphExport.write(ss, dir, request, new BufferedWriter(new OutputStreamWriter(
            new FilterOutputStream(System.out) {
              @Override
              public void write(byte[] b, int off, int len) throws java.io.IOException {
                out.write(b, off, len); // whole buffers: FilterOutputStream's own loop writes byte by byte
              }

              @Override
              public void close() throws java.io.IOException {
                flush(); // standard output stays open for whatever the command prints next
              }
            }, StandardCharsets.UTF_8), 1 << 16));
      } else {
        w = writeAtomically(conf, bedGraph, writer -> BedGraphExport.write(ss, dir, request, writer));
      }
      System.err.printf("seqattn: wrote %s track of %d sequence(s), %d positions (%d without a value) in %d lines "
          + "to %s%n", q.spec(), w.sequences(), w.positions(), w.gaps(), w.lines(), bedGraph);
      return 0;
    }
  }

  /** What writes the track into a writer it then closes. */
  private interface TrackWriting {
    BedGraphExport.Written write(Writer writer) throws Exception;
  }

  /**
   * Writes {@code location} under a temporary name in the same directory and renames it into place
   * when {@code writing} completes, so a failure leaves no half-written track (and any earlier file
   * whole). An uncached file system without checksum files, so no {@code .crc} lands beside it.
   */
  private static BedGraphExport.Written writeAtomically(Configuration conf, String location, TrackWriting writing)
      throws Exception {
    org.apache.hadoop.fs.Path target = new org.apache.hadoop.fs.Path(location);
    try (FileSystem fs = FileSystem.newInstance(target.toUri(), conf)) {
      fs.setWriteChecksum(false);
      org.apache.hadoop.fs.Path partial = new org.apache.hadoop.fs.Path(target.getParent(),
          "." + target.getName() + ".partial-" + UUID.randomUUID());
      boolean done = false;
      try {
        BedGraphExport.Written w = writing.write(new BufferedWriter(new OutputStreamWriter(fs.create(partial, false),
            StandardCharsets.UTF_8), 1 << 16));
        if (fs.exists(target) && !fs.delete(target, false)) {
          throw new SeqAttn.UserException(location + ": cannot replace the existing file");
        }
        if (!fs.rename(partial, target)) {
          throw new SeqAttn.UserException(location + ": cannot rename the finished track into place from " + partial);
        }
        done = true;
        return w;
      } finally {
        if (!done) {
          fs.delete(partial, false);
        }
      }
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

}
