package io.seqattn.job.plan;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.InputFormat;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/** Writes {@code run.json}: what was run, on what, with which model, and how fast. */
public final class RunReport {
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Skipped records listed by name in run.json; the count is always complete. */
  static final int MAX_LISTED = 1000;

  private RunReport() {}

  /** Writes run.json into the output's staging directory and returns what it wrote. */
  public static ObjectNode write(OutputDirectory out, RunSpec spec, InputFormat format, RunStats stats,
      SparkSession spark, Instant started) throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("mode", spec.network().mode());
    root.put("attention", spec.network().attention());
    root.put("started", started.toString());
    root.put("finished", Instant.now().toString());
    root.put("format", format.name().toLowerCase(Locale.ROOT));
    ArrayNode inputs = root.putArray("inputs");
    spec.inputs().stream().map(InputFile::path).forEach(inputs::add);
    ObjectNode model = root.putObject("model");
    model.put("dir", spec.modelDir());
    model.put("fingerprint", spec.network().fingerprint());
    model.set("config", JSON.readTree(spec.network().configJson()));
    model.put("layers", spec.network().depth());
    if (spec.network().depth() > 1) {
      root.put("between_layers", spec.betweenLayers().toString());
    }
    model.put("embedding_dim", spec.network().embeddingDim());
    root.put("chunk_size", spec.readers().chunkSize());
    root.put("partitions", stats.partitions());
    root.put("emit_outputs", spec.emitOutputs());
    root.put("validation", spec.readers().validation().name().toLowerCase(Locale.ROOT));
    root.put("skip_n", spec.readers().fasta().skipN());
    root.put("keep_soft_mask", spec.readers().fasta().keepSoftMask());
    if (spec.continueFrom() != null) {
      root.put("continue_from", spec.continueFrom());
    }
    ObjectNode sparkNode = root.putObject("spark");
    sparkNode.put("version", spark.version());
    sparkNode.put("master", spark.sparkContext().master());
    sparkNode.put("default_parallelism", spark.sparkContext().defaultParallelism());
    ObjectNode counts = root.putObject("counts");
    counts.put("sequences", stats.sequences());
    counts.put("empty_sequences", stats.emptySequences());
    counts.put("chunks", stats.chunks());
    counts.put("read_tasks", stats.readTasks());
    counts.put("tokens", stats.tokens());
    counts.put("non_positive_normalizers", stats.nonPositiveNormalizers());
    if (spec.readers().fasta().skipN()) {
      counts.put("absent_tokens", stats.absentTokens());
    }
    if (spec.readers().fasta().keepSoftMask()) {
      counts.put("soft_masked_tokens", stats.softMaskedTokens());
    }
    ObjectNode skipped = root.putObject("skipped");
    skipped.put("records", stats.skipped().size());
    ArrayNode listed = skipped.putArray("listed");
    stats.skipped().stream().limit(MAX_LISTED).forEach(s -> listed.addObject()
        .put("seq_id", s.seqId()).put("reason", s.reason()));
    if (stats.skipped().size() > MAX_LISTED) {
      skipped.put("note", "only the first " + MAX_LISTED + " are listed");
    }
    ObjectNode stages = root.putObject("stage_seconds");
    stats.stageSeconds().forEach((k, v) -> stages.put(k, round(v)));
    ArrayNode timeline = root.putArray("stage_timeline");
    Map<String, Double> seconds = stats.stageSeconds();
    stats.stageStarts().forEach((stage, start) -> timeline.addObject().put("stage", stage)
        .put("start", round(start)).put("seconds", round(seconds.getOrDefault(stage, 0.0))));
    ArrayNode beside = root.putArray("overlapped_stages");
    stats.overlappedStages().forEach(beside::add);
    root.put("total_seconds", round(stats.totalSeconds()));
    root.put("tokens_per_second", Math.round(stats.tokensPerSecond()));
    try (OutputStream os = out.fileSystem().create(new Path(out.staging(), "run.json"), false)) {
      JSON.writeValue(os, root);
    }
    return root;
  }

  private static double round(double seconds) {
    return Math.round(seconds * 1000) / 1000.0;
  }
}
