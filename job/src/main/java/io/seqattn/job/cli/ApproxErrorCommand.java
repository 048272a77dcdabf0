package io.seqattn.job.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.seqattn.core.features.FeatureMap;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.Model;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelVariants;
import io.seqattn.core.network.SequenceAttention;
import io.seqattn.job.input.Chunk;
import io.seqattn.job.input.FastaOptions;
import io.seqattn.job.input.InputFile;
import io.seqattn.job.input.ReadItem;
import io.seqattn.job.input.Readers;
import io.seqattn.job.input.Validation;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code seqattn approx-error}: how far linear attention is from exact softmax attention on real
 * sequences, per feature map and feature count m, over several draws of ω. The model's weights are
 * kept; only φ (and ω, drawn from each seed) change, and Wq, Wk can be scaled to make the logits
 * larger. Runs in one JVM (no Spark): the reference is O(n²).
 */
@Command(name = "approx-error", mixinStandardHelpOptions = true,
    description = {"Relative error ||O_linear - O_softmax|| / ||O_softmax|| of each feature map against exact "
        + "softmax attention on the first --tokens tokens of the first --sequences sequences of the inputs, "
        + "mean and spread over --seeds draws of the random features.",
        "Writes approx-error.md (a table), approx-error.json and approx-error.png (error against m, log-log)."})
final class ApproxErrorCommand implements Callable<Integer> {

  @Mixin
  InputOptions input;

  @Option(names = {"--model", "--model-dir"}, required = true, paramLabel = "DIR",
      description = "The model whose weights are used (its own feature map is replaced by each of --maps): a local "
          + "path or a Hadoop file system URI (hdfs://…).")
  String modelDir;

  @Option(names = "--features", split = ",", defaultValue = "16,64,256,1024", paramLabel = "M",
      description = "Feature counts m for the random-feature maps (default: ${DEFAULT-VALUE}).")
  int[] features;

  @Option(names = "--maps", split = ",", defaultValue = "favor+,trig,elu,relu", paramLabel = "MAP",
      description = "Feature maps (default: ${DEFAULT-VALUE}); elu and relu have m = d_head only.")
  String[] maps;

  @Option(names = "--seeds", defaultValue = "5", description = "Draws of omega per point (default: ${DEFAULT-VALUE}).")
  int seeds;

  @Option(names = "--sequences", defaultValue = "3",
      description = "Sequences taken from the inputs, in order (default: ${DEFAULT-VALUE}).")
  int sequences;

  @Option(names = "--tokens", defaultValue = "2048",
      description = "Tokens of each sequence, from its start (default: ${DEFAULT-VALUE}).")
  int tokens;

  @Option(names = "--qk-scales", split = ",", defaultValue = "1", paramLabel = "S",
      description = "Multiply Wq and Wk by S, so the softmax logits scale by S^2 (default: ${DEFAULT-VALUE}).")
  double[] qkScales;

  @Option(names = "--label", description = "Name of this input in the table (default: the first input's file name).")
  String label;

  @Option(names = {"--output", "--out"}, required = true, paramLabel = "DIR",
      description = "Directory for the results (--out is an alias).")
  Path out;

  /** One point of the study: a map and m at one logit scale, its errors over sequences × seeds. */
  record Point(double qkScale, double rmsLogit, FeatureMap map, int m, double[] errors) {
    double mean() {
      return Arrays.stream(errors).average().orElse(Double.NaN);
    }

    double std() {
      double mu = mean();
      return Math.sqrt(Arrays.stream(errors).map(e -> (e - mu) * (e - mu)).sum() / Math.max(1, errors.length - 1));
    }
  }

  @Override
  public Integer call() throws IOException {
    if (seeds < 1 || sequences < 1 || tokens < 2) {
      throw new SeqAttn.UserException("--seeds and --sequences must be >= 1 and --tokens >= 2");
    }
    Model base = ModelDirectory.load(ModelLocation.local(modelDir));
    base = ModelVariants.withConfig(base, base.config().asGlobal());
    List<FeatureMap> mapList = new ArrayList<>();
    for (String name : maps) {
      try {
        mapList.add(FeatureMaps.byName(name.strip()));
      } catch (IllegalArgumentException e) {
        throw new SeqAttn.UserException(e.getMessage());
      }
    }
    Map<String, int[]> seqs = read(base);
    String name = label != null ? label : io.seqattn.job.input.Storage.fileName(input.inputs.get(0));
    System.err.printf("seqattn: approx-error on %d sequence(s) of %s, up to %d tokens each%n", seqs.size(), name,
        tokens);

    List<Point> points = new ArrayList<>();
    for (double scale : qkScales) {
      Model scaled = ModelVariants.withScaledQueriesAndKeys(base, (float) scale);
      Map<String, float[]> exact = new LinkedHashMap<>();
      seqs.forEach((id, t) -> exact.put(id, SequenceAttention.softmax(scaled, t.length).outputs(t)));
      int[] first = seqs.values().iterator().next();
      double rms = new io.seqattn.core.mixer.ChunkKernel(scaled)
          .rmsLogit(Arrays.copyOf(first, Math.min(512, first.length)), 0);
      for (FeatureMap map : mapList) {
        int[] ms = map.usesOmega() ? features : new int[] {base.config().dHead()};
        for (int m : ms) {
          int draws = map.usesOmega() ? seeds : 1;
          double[] errors = new double[draws * seqs.size()];
          int e = 0;
          for (int seed = 0; seed < draws; seed++) {
            Model linear = ModelVariants.withFeatureMap(scaled, map, m, 1000L + seed);
            for (Map.Entry<String, int[]> s : seqs.entrySet()) {
              float[] approx = SequenceAttention.linear(linear, s.getValue().length).outputs(s.getValue());
              errors[e++] = SequenceAttention.relativeError(approx, exact.get(s.getKey()));
            }
          }
          Point p = new Point(scale, rms, map, m, errors);
          points.add(p);
          System.err.printf(Locale.ROOT, "seqattn:   scale %-4s %-8s m=%-5d error %.4f ± %.4f%n", scale, map, m,
              p.mean(), p.std());
        }
      }
    }
    Files.createDirectories(out);
    Files.writeString(out.resolve("approx-error.md"), markdown(name, seqs, points));
    writeJson(name, seqs, points);
    ErrorPlot.write(out.resolve("approx-error.png"), "Linear vs exact softmax attention: " + name, points);
    System.out.println(out.resolve("approx-error.md"));
    return 0;
  }

  private Map<String, int[]> read(Model model) throws IOException {
    Readers readers = new Readers(model.config().tokenizer(), tokens, input.idField, input.textField, input.idsField,
        Validation.STRICT, FastaOptions.NONE);
    Map<String, int[]> seqs = new LinkedHashMap<>();
    for (InputFile file : input.files()) {
      if (file.isParquet()) {
        throw new SeqAttn.UserException(file.path() + ": approx-error reads its sequences itself, not through Spark, "
            + "so it takes FASTA, text and JSONL (ids as JSONL), not Parquet (write the ids as JSONL, or use run)");
      }
      for (Iterator<ReadItem> it = readers.chunks(file); it.hasNext() && seqs.size() < sequences; ) {
        Chunk c = (Chunk) it.next();
        if (c.index() == 0 && c.tokens().length >= 2) {
          seqs.put(c.seqId(), c.tokens()); // chunk 0 of chunk size --tokens: the first tokens
        }
      }
    }
    if (seqs.isEmpty()) {
      throw new SeqAttn.UserException("no sequence with at least 2 tokens in the inputs");
    }
    return seqs;
  }

  private String markdown(String name, Map<String, int[]> seqs, List<Point> points) {
    StringBuilder md = new StringBuilder();
    int longest = seqs.values().stream().mapToInt(t -> t.length).max().orElse(0);
    md.append("Relative error ‖O_linear − O_softmax‖ / ‖O_softmax‖ on ").append(name).append(": ")
        .append(seqs.size()).append(" sequence(s), first ").append(longest).append(" tokens each; random-feature ")
        .append("maps over ").append(seeds).append(" draws of ω (mean ± std over draws × sequences).\n\n");
    md.append("| Wq, Wk × | logits × | RMS logit | map | m | error (mean ± std) |\n|---|---|---|---|---|---|\n");
    for (Point p : points) {
      md.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %s | %d | %.4f ± %.4f |%n", fmt(p.qkScale()),
          fmt(p.qkScale() * p.qkScale()), p.rmsLogit(), p.map(), p.m(), p.mean(), p.std()));
    }
    md.append("\nRMS logit: the root mean square of q_iᵀk_j/√d_head over all pairs of the first 512 tokens of the ")
        .append("first sequence, all heads.\n");
    return md.toString();
  }

  private void writeJson(String name, Map<String, int[]> seqs, List<Point> points) throws IOException {
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    ObjectNode root = json.createObjectNode();
    root.put("input", name);
    root.put("model", modelDir);
    root.put("seeds", seeds);
    ArrayNode ids = root.putArray("sequences");
    seqs.forEach((id, t) -> ids.addObject().put("id", id).put("tokens", t.length));
    ArrayNode rows = root.putArray("points");
    for (Point p : points) {
      ObjectNode row = rows.addObject();
      row.put("wq_wk_scale", p.qkScale());
      row.put("rms_logit", p.rmsLogit());
      row.put("map", p.map().name());
      row.put("m", p.m());
      row.put("mean", p.mean());
      row.put("std", p.std());
      ArrayNode errors = row.putArray("errors");
      Arrays.stream(p.errors()).forEach(errors::add);
    }
    json.writeValue(out.resolve("approx-error.json").toFile(), root);
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }
}
