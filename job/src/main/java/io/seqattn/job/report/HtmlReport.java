package io.seqattn.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqattn.core.projection.PrincipalPlane;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.SparkSession;

/**
 * Renders {@code report.html} for one run: self-contained (inline CSS and SVG, no script, nothing
 * fetched), so it opens from any file system or mail attachment.
 */
public final class HtmlReport {
  public static final String FILE = "report.html";
  /** Sequences drawn in the embedding projection at most (chosen by hash of id). */
  public static final int MAX_POINTS = 5000;
  private static final int MAX_LENGTH_BINS = 40;
  private static final int MAX_FLAGGED = 20;
  /** Stages shorter than this share of the run are left out of the tokens/s chart (set-up, not throughput). */
  private static final double MIN_STAGE_SHARE = 0.05;

  private HtmlReport() {}

  /**
   * The page for the run in {@code runDir} (any Hadoop file system; its embeddings table is read),
   * whose run.json is {@code run}.
   *
   * @param colorBy the passthrough field that colours the projection, or null to choose one
   * @throws IllegalArgumentException when no sequence has the field {@code colorBy}
   */
  public static String render(SparkSession spark, String runDir, JsonNode run, String colorBy) {
    return render(ReportData.read(spark, runDir, run, colorBy, MAX_POINTS));
  }

  /** Writes {@code html} as report.html into {@code dir}, a run's staging directory. */
  public static void writeInto(SparkSession spark, String dir, String html) throws IOException {
    Path target = new Path(dir, FILE);
    FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
    try (OutputStream os = fs.create(target, true)) {
      os.write(html.getBytes(StandardCharsets.UTF_8));
    }
  }

  static String render(ReportData data) {
    JsonNode run = data.run();
    StringBuilder h = new StringBuilder(64 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>seqattn run report</title><style>").append(Html.STYLE).append("</style></head><body>\n");
    h.append("<h1>seqattn run report</h1>\n");
    summary(h, run);
    timeline(h, run);
    throughput(h, run);
    lengths(h, data.sequences());
    normalizers(h, run, data.sequences());
    projection(h, data);
    h.append("<footer>Written by seqattn from run.json and the embeddings table.</footer>\n</body></html>\n");
    return h.toString();
  }

  private static void summary(StringBuilder h, JsonNode run) {
    h.append("<section id=\"summary\"><h2>Run</h2><table>");
    row(h, "mode / attention", run.path("mode").asText() + " / " + run.path("attention").asText());
    row(h, "model", run.at("/model/dir").asText() + " (" + run.at("/model/fingerprint").asText() + ", "
        + run.at("/model/layers").asInt(1) + " layer(s))");
    List<String> inputs = new ArrayList<>();
    run.path("inputs").forEach(i -> inputs.add(i.asText()));
    row(h, "inputs (" + run.path("format").asText() + ")", String.join(", ", inputs));
    row(h, "started / finished", run.path("started").asText() + " / " + run.path("finished").asText());
    row(h, "Spark", run.at("/spark/version").asText() + " on " + run.at("/spark/master").asText() + ", "
        + run.path("partitions").asInt() + " partitions");
    row(h, "sequences", Svg.number(run.at("/counts/sequences").asLong()) + " (" + Svg.number(
        run.at("/counts/empty_sequences").asLong()) + " empty)");
    row(h, "tokens", Svg.number(run.at("/counts/tokens").asLong()) + " in " + Svg.number(
        run.at("/counts/chunks").asLong()) + " chunks of at most " + Svg.number(run.path("chunk_size").asLong()));
    row(h, "stage time", String.format(Locale.ROOT, "%.1f s, %s tokens/s", run.path("total_seconds").asDouble(),
        Svg.number(run.path("tokens_per_second").asLong())));
    long skipped = run.at("/skipped/records").asLong();
    row(h, "skipped records", skipped == 0 ? "none" : skipped + " (listed in run.json)");
    h.append("</table></section>\n");
  }

  private static void timeline(StringBuilder h, JsonNode run) {
    List<Svg.Bar> bars = new ArrayList<>();
    List<String> beside = new ArrayList<>();
    run.path("overlapped_stages").forEach(s -> beside.add(s.asText()));
    if (run.has("stage_timeline")) {
      run.path("stage_timeline").forEach(s -> {
        String stage = s.path("stage").asText();
        double start = s.path("start").asDouble();
        double end = start + s.path("seconds").asDouble();
        bars.add(new Svg.Bar(stage, start, end, beside.contains(stage) ? Palette.ORANGE : Palette.BLUE,
            String.format(Locale.ROOT, "%s: %.3f s, from %.3f s to %.3f s%s", stage, end - start, start, end,
                beside.contains(stage) ? " (beside other stages)" : "")));
      });
    } else { // run.json of earlier versions: durations only, drawn one after another
      double[] t = {0};
      run.path("stage_seconds").fields().forEachRemaining(e -> {
        double seconds = e.getValue().asDouble();
        bars.add(new Svg.Bar(e.getKey(), t[0], t[0] + seconds, Palette.BLUE,
            String.format(Locale.ROOT, "%s: %.3f s", e.getKey(), seconds)));
        t[0] += seconds;
      });
    }
    if (bars.isEmpty()) {
      return;
    }
    h.append("<section id=\"timeline\"><h2>Stage timeline</h2>")
        .append("<p>When each stage ran, in seconds from the start of the run's first stage")
        .append(beside.isEmpty() ? "" : "; orange stages ran beside the others, on a thread of their own")
        .append(".</p>").append(Svg.bars("timeline", "seconds", bars)).append("</section>\n");
  }

  private static void throughput(StringBuilder h, JsonNode run) {
    long tokens = run.at("/counts/tokens").asLong();
    double total = run.path("total_seconds").asDouble();
    List<Svg.Bar> bars = new ArrayList<>();
    run.path("stage_seconds").fields().forEachRemaining(e -> {
      double seconds = e.getValue().asDouble();
      if (seconds > 0 && seconds >= MIN_STAGE_SHARE * total && tokens > 0) {
        double rate = tokens / seconds;
        bars.add(new Svg.Bar(e.getKey(), 0, rate, Palette.GREEN,
            String.format(Locale.ROOT, "%s: %s tokens/s (%.3f s)", e.getKey(), Svg.number(rate), seconds)));
      }
    });
    if (bars.isEmpty()) {
      return;
    }
    h.append("<section id=\"throughput\"><h2>Tokens per second, by stage</h2>")
        .append("<p>All ").append(Svg.number(tokens)).append(" tokens over the wall time of each stage that took at least ")
        .append(Math.round(MIN_STAGE_SHARE * 100)).append("% of the run's: the short bars are the stages that bound it.</p>").append(Svg.bars("throughput", "tokens/s", bars))
        .append("</section>\n");
  }

  /** A histogram of sequence lengths in power-of-two bins [2^b, 2^(b+1)). */
  private static void lengths(StringBuilder h, List<SequencePoint> sequences) {
    if (sequences.isEmpty()) {
      return;
    }
    long min = sequences.stream().mapToLong(SequencePoint::length).min().orElse(0);
    long max = sequences.stream().mapToLong(SequencePoint::length).max().orElse(0);
    int lo = bin(min);
    int hi = Math.min(bin(max), lo + MAX_LENGTH_BINS - 1);
    long[] counts = new long[hi - lo + 1];
    for (SequencePoint s : sequences) {
      counts[Math.min(bin(s.length()), hi) - lo]++;
    }
    List<String> labels = new ArrayList<>();
    for (int b = lo; b <= hi; b++) {
      labels.add(b < 0 ? "0" : size(1L << b));
    }
    h.append("<section id=\"lengths\"><h2>Sequence lengths</h2><p>")
        .append(Svg.number(sequences.size())).append(" sequences, ").append(Svg.number(min)).append(" to ")
        .append(Svg.number(max)).append(" tokens; each bar counts the lengths from its label to twice it.</p>")
        .append(Svg.histogram("lengths", "tokens per sequence", labels, counts, Palette.BLUE))
        .append("</section>\n");
  }

  private static int bin(long length) {
    return length <= 0 ? -1 : 63 - Long.numberOfLeadingZeros(length);
  }

  private static String size(long n) {
    if (n >= 1L << 30) {
      return (n >> 30) + "G";
    }
    if (n >= 1L << 20) {
      return (n >> 20) + "M";
    }
    return n >= 1L << 10 ? (n >> 10) + "k" : Long.toString(n);
  }

  private static void normalizers(StringBuilder h, JsonNode run, List<SequencePoint> sequences) {
    long total = run.at("/counts/non_positive_normalizers").asLong();
    h.append("<section id=\"normalizers\"><h2>Normalizers</h2>");
    if (total == 0) {
      h.append("<p class=\"ok\">At no position was the normalizer φ(q)ᵀz ≤ 0.</p></section>\n");
      return;
    }
    h.append("<p class=\"flag\">At ").append(Svg.number(total)).append(" position(s) the normalizer φ(q)ᵀz was ≤ 0: ")
        .append("their outputs are unreliable (see the model's feature maps). The sequences with most of them:</p>");
    List<Svg.Bar> bars = sequences.stream().filter(s -> s.nonPositiveNormalizers() > 0)
        .sorted(Comparator.comparingLong(SequencePoint::nonPositiveNormalizers).reversed()
            .thenComparing(SequencePoint::seqId))
        .limit(MAX_FLAGGED)
        .map(s -> new Svg.Bar(shorten(s.seqId()), 0, s.nonPositiveNormalizers(), Palette.VERMILLION,
            s.seqId() + ": " + s.nonPositiveNormalizers() + " of " + s.length() + " positions"))
        .toList();
    h.append(Svg.bars("normalizers", "positions with φ(q)ᵀz ≤ 0", bars)).append("</section>\n");
  }

  private static void projection(StringBuilder h, ReportData data) {
    List<SequencePoint> drawn = data.sequences().stream().filter(s -> s.embedding() != null).toList();
    if (drawn.size() < 2) {
      return;
    }
    PrincipalPlane plane = PrincipalPlane.fit(drawn.stream().map(SequencePoint::embedding).toArray(float[][]::new));
    Map<String, String> colors = groupColors(drawn);
    List<Svg.Point> points = new ArrayList<>();
    for (SequencePoint s : drawn) {
      double[] xy = plane.project(s.embedding());
      String color = s.group() == null ? Palette.BLUE : colors.getOrDefault(s.group(), Palette.GREY);
      points.add(new Svg.Point(xy[0], xy[1], color,
          s.seqId() + (s.group() == null ? "" : " (" + data.colorField() + " = " + s.group() + ")")));
    }
    h.append("<section id=\"projection\"><h2>Embeddings, projected</h2><p>")
        .append(Svg.number(drawn.size())).append(" embeddings")
        .append(drawn.size() < data.sequences().size() ? " (a sample chosen by hash of id)" : "")
        .append(" on their first two principal components")
        .append(String.format(Locale.ROOT, " (variances %.4g and %.4g)", plane.variance(0), plane.variance(1)))
        .append(data.colorField() == null ? "." : ", coloured by <code>" + Html.escape(data.colorField()) + "</code>.")
        .append("</p>");
    h.append(Svg.scatter("projection", "component 1", "component 2", points));
    if (data.colorField() != null) {
      h.append("<ul class=\"legend\">");
      colors.forEach((group, color) -> h.append("<li><span style=\"background:").append(color).append("\"></span>")
          .append(Html.escape(group)).append("</li>"));
      if (drawn.stream().anyMatch(s -> s.group() == null || !colors.containsKey(s.group()))) {
        h.append("<li><span style=\"background:").append(Palette.GREY).append("\"></span>other or none</li>");
      }
      h.append("</ul>");
    }
    h.append("</section>\n");
  }

  /** The most frequent groups (ties by name) get the palette's colours, in that order. */
  private static Map<String, String> groupColors(List<SequencePoint> drawn) {
    Map<String, Long> counts = new LinkedHashMap<>();
    drawn.stream().filter(s -> s.group() != null).forEach(s -> counts.merge(s.group(), 1L, Long::sum));
    Map<String, String> colors = new LinkedHashMap<>();
    counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(Palette.size())
        .forEach(e -> colors.put(e.getKey(), Palette.hex(colors.size())));
    return colors;
  }

  private static String shorten(String id) {
    return id.length() <= 22 ? id : id.substring(0, 21) + "…";
  }

  private static void row(StringBuilder h, String name, String value) {
    Html.row(h, name, value);
  }
}
