package io.seqattn.job.tracks;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.plan.RunDirectory;
import java.io.IOException;
import java.io.Serializable;
import java.io.Writer;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * {@code seqattn export --bedgraph}: a run's per-position outputs as a genome-browser track. The run
 * must come from a DNA k-mer model (positions are tokens; the model's k and stride, from run.json,
 * turn them into bases) and hold {@code outputs/} ({@code --emit-outputs}). Chromosome sizes come
 * from {@code --chrom-sizes}, or else from the {@code .fai} beside each input the run read.
 *
 * <p>Memory stays bounded by a chunk: tasks reduce each chunk's output rows to one float per
 * position ({@link TrackQuantity}), Spark sorts the chunks by (sequence, start), and the driver
 * pulls them one partition at a time ({@code toLocalIterator}) into a streaming {@link BaseTrack}.
 */
public final class BedGraphExport {

  /** What to export: the quantity, one sequence or all ({@code seqId} null), and where sizes come from. */
  public record Request(TrackQuantity quantity, String seqId, String chromSizes) {}

  /** What was written, for the command's summary line. */
  public record Written(long sequences, long positions, long gaps, long lines) {}

  /** One chunk's track values, as tasks hand them to the driver. */
  record Piece(String seqId, long start, float[] values) implements Serializable {}

  private BedGraphExport() {}

  /**
   * Writes the track of {@code request} from {@code run} to {@code out} (closed at the end).
   *
   * @throws TrackException or {@link RunDirectory.RunDirectoryException} saying what the run or the
   *     sizes lack
   */
  public static Written write(SparkSession spark, RunDirectory run, Request request, Writer out) throws IOException {
    JsonNode report = run.report();
    TokenizerSpec tokenizer = tokenizerOf(run, report);
    if (report.hasNonNull("continue_from")) {
      throw new TrackException(run.location() + ": continues the run " + report.get("continue_from").asText()
          + ", so its positions do not start at its inputs' first bases; export a track from a run of whole "
          + "sequences");
    }
    ChromSizes sizes = sizes(run, report, request.chromSizes(), spark.sparkContext().hadoopConfiguration());

    Dataset<Row> outputs = run.outputs(spark);
    if (request.seqId() != null) {
      outputs = outputs.where(functions.col("seq_id").equalTo(request.seqId()));
    }
    List<Integer> widths = outputs.select("width").distinct().as(Encoders.INT()).collectAsList();
    if (request.seqId() != null && widths.isEmpty()) {
      List<String> some = run.outputs(spark).select("seq_id").distinct().orderBy("seq_id").limit(5)
          .as(Encoders.STRING()).collectAsList();
      throw new TrackException(run.location() + ": no outputs for sequence '" + request.seqId() + "'"
          + (some.isEmpty() ? "" : " (ids include " + some + ")"));
    }
    TrackQuantity quantity = request.quantity();
    for (int w : widths) {
      try {
        quantity.check(w);
      } catch (IllegalArgumentException e) {
        throw new TrackException(e.getMessage());
      }
    }
    JavaRDD<Piece> pieces = outputs.select("seq_id", "start", "tokens", "width", "output")
        .orderBy("seq_id", "start")
        .javaRDD()
        .map(r -> new Piece(r.getString(0), r.getLong(1), values(quantity, r.getInt(2), r.getInt(3), r.getList(4))));

    BedGraphWriter bedGraph = new BedGraphWriter(out);
    BaseTrack track = new BaseTrack(bedGraph, tokenizer.k(), tokenizer.stride(), sizes);
    try (bedGraph) {
      Iterator<Piece> it = pieces.toLocalIterator();
      while (it.hasNext()) {
        Piece p = it.next();
        track.add(p.seqId(), p.start(), p.values());
      }
    }
    return new Written(track.sequences(), track.positions(), track.gaps(), bedGraph.lines());
  }

  /** The model's DNA tokenizer, as run.json records it. */
  private static TokenizerSpec tokenizerOf(RunDirectory run, JsonNode report) throws TrackException {
    JsonNode tok = report.at("/model/config/tokenizer");
    TokenizerSpec spec;
    try {
      spec = TokenizerSpec.fromJson(tok);
    } catch (IllegalArgumentException e) {
      throw new TrackException(run.location() + "/run.json: no readable model tokenizer (" + e.getMessage() + ")");
    }
    if (spec.type() != TokenizerSpec.Type.DNA) {
      throw new TrackException(run.location() + ": a bedGraph track is in base coordinates and needs a run of a dna "
          + "model; this run's tokenizer is '" + spec.type().configName() + "'");
    }
    return spec;
  }

  /** Sizes from the file the user named, or from the .fai beside every input that has one. */
  private static ChromSizes sizes(RunDirectory run, JsonNode report, String file, Configuration conf)
      throws IOException {
    ChromSizes sizes = new ChromSizes();
    if (file != null) {
      sizes.read(file, conf);
      return sizes;
    }
    for (JsonNode input : report.path("inputs")) {
      Path fai = new Path(input.asText() + ".fai");
      if (fai.getFileSystem(conf).isFile(fai)) {
        sizes.read(fai.toString(), conf);
      }
    }
    if (sizes.isEmpty()) {
      throw new TrackException(run.location() + ": none of the run's inputs has a .fai beside it; give "
          + "--chrom-sizes FILE (a .fai or UCSC chrom.sizes) or index the inputs with 'seqattn index'");
    }
    return sizes;
  }

  /** One chunk's output rows reduced to the quantity, one float per position. */
  private static float[] values(TrackQuantity quantity, int tokens, int width, List<Float> output) {
    float[] rows = new float[output.size()];
    for (int i = 0; i < rows.length; i++) {
      rows[i] = output.get(i);
    }
    float[] values = new float[tokens];
    for (int p = 0; p < tokens; p++) {
      values[p] = quantity.value(rows, p, width);
    }
    return values;
  }
}
