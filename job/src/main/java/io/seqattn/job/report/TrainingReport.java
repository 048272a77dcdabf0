package io.seqattn.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code report.html} of a training run, drawn from its {@code train.json} alone (so it can be drawn
 * while the run goes on, from each checkpoint's log): the loss curves — every mini-batch's loss, its
 * running mean, the held-out evaluations and the baseline to beat — the held-out accuracy of a
 * classifier, the learning-rate schedule, the gradient norm against the clipping threshold, and
 * tokens per second. Self-contained as the run report is: inline CSS and SVG, no script.
 */
public final class TrainingReport {
  public static final String FILE = "report.html";
  /** The running mean covers 1/25 of the steps; below 50 steps the losses are drawn alone. */
  public static final int MEAN_WINDOWS = 25;
  private static final String LIGHT_BLUE = "#9dc3e0";

  private TrainingReport() {}

  /** The page for a training run whose log is {@code log} (train.json, of either task). */
  public static String render(JsonNode log) {
    boolean lm = "lm".equals(log.path("task").asText());
    Steps steps = Steps.of(log.path("steps"));
    StringBuilder h = new StringBuilder(32 * 1024);
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        .append("<title>seqattn training report</title><style>").append(Html.STYLE).append("</style></head><body>\n");
    h.append("<h1>seqattn training report</h1>\n");
    summary(h, log, steps, lm);
    loss(h, log, steps, lm);
    if (!lm) {
      accuracy(h, log);
    }
    schedule(h, log, steps);
    h.append("<footer>Written by seqattn from train.json.</footer>\n</body></html>\n");
    return h.toString();
  }

  /** The step log as columns. */
  private record Steps(double[] step, double[] loss, double[] lr, double[] gradientNorm, double[] tokensPerSecond,
      double tokens, double seconds) {
    static Steps of(JsonNode rows) {
      int n = rows.size();
      Steps s = new Steps(new double[n], new double[n], new double[n], new double[n], new double[n],
          sum(rows, "tokens"), sum(rows, "seconds"));
      for (int i = 0; i < n; i++) {
        JsonNode r = rows.get(i);
        s.step[i] = r.path("step").asDouble();
        s.loss[i] = r.path("loss").asDouble(Double.NaN);
        s.lr[i] = r.path("learning_rate").asDouble(Double.NaN);
        s.gradientNorm[i] = r.path("gradient_norm").asDouble(Double.NaN);
        double seconds = r.path("seconds").asDouble();
        s.tokensPerSecond[i] = seconds > 0 ? r.path("tokens").asDouble() / seconds : Double.NaN;
      }
      return s;
    }

    private static double sum(JsonNode rows, String field) {
      double total = 0;
      for (JsonNode r : rows) {
        total += r.path(field).asDouble();
      }
      return total;
    }
  }

  private static void summary(StringBuilder h, JsonNode log, Steps steps, boolean lm) {
    h.append("<section id=\"summary\"><h2>Training run</h2><table>");
    Html.row(h, "task", lm ? "lm (next base, k = " + log.path("k").asInt() + ")"
        : "classify (label field " + log.path("label_field").asText() + ")");
    Html.row(h, "input", log.path("input").asText());
    List<String> classes = new ArrayList<>();
    log.path("classes").forEach(c -> classes.add(c.asText()));
    Html.row(h, "classes (" + classes.size() + ")", String.join(", ", classes.size() <= 12 ? classes
        : classes.subList(0, 12)) + (classes.size() > 12 ? ", …" : ""));
    if (lm) {
      Html.row(h, "records", Svg.number(log.path("records").size()) + ", " + Svg.number(log.path("train_segments")
          .asLong()) + " training segments, " + Svg.number(log.path("held_out_parts").asLong()) + " held-out parts");
    } else {
      Html.row(h, "sequences", Svg.number(log.path("train_sequences").asLong()) + " training, "
          + Svg.number(log.path("held_out_sequences").asLong()) + " held out (" + log.path("held_out").asText()
          + ")");
    }
    JsonNode s = log.path("settings");
    Html.row(h, "optimizer", String.format(Locale.ROOT, "AdamW, %d epoch(s) of batches of %d, learning rate %s "
            + "(warm-up %d steps, cosine to %s), weight decay %s, clip norm %s, seed %d", s.path("epochs").asInt(),
        s.path("batch_size").asInt(), Svg.compact(s.path("learning_rate").asDouble()), s.path("warmup_steps").asInt(),
        Svg.compact(s.path("min_learning_rate").asDouble()), Svg.compact(s.path("weight_decay").asDouble()),
        Svg.compact(s.path("clip_norm").asDouble()), s.path("seed").asLong()));
    Html.row(h, "steps", Svg.number(steps.step().length) + (steps.step().length > 0 ? String.format(Locale.ROOT,
        ", %.1f s, %s tokens/s", steps.seconds(), Svg.number(Math.round(steps.tokens() / Math.max(steps.seconds(),
            1e-9)))) : ""));
    String baseline = baseline(log, lm);
    Html.row(h, "baseline", baseline == null ? "not computed (no held-out data, or the run has not ended)" : baseline);
    h.append("</table></section>\n");
  }

  /** The baseline's one-line description with its score, or null when the log has none yet. */
  private static String baseline(JsonNode log, boolean lm) {
    JsonNode b = log.path("baseline");
    if (b.isMissingNode()) {
      return null;
    }
    return lm ? String.format(Locale.ROOT, "%s: best order %d, %.4f bits/base", b.path("method").asText(),
        b.path("best_order").asInt(), b.path("best_bits_per_base").asDouble())
        : String.format(Locale.ROOT, "%s: held-out accuracy %.3f", b.path("method").asText(),
        b.path("held_out_accuracy").asDouble());
  }

  private static void loss(StringBuilder h, JsonNode log, Steps steps, boolean lm) {
    double unit = lm ? Math.log(2) : 1;
    double[] loss = new double[steps.loss().length];
    for (int i = 0; i < loss.length; i++) {
      loss[i] = steps.loss()[i] / unit;
    }
    List<Double> evalStep = new ArrayList<>();
    List<Double> evalLoss = new ArrayList<>();
    for (JsonNode e : log.path("evaluations")) {
      JsonNode value = e.path(lm ? "bits_per_base" : "loss");
      if (value.isNumber()) {
        evalStep.add(e.path("step").asDouble());
        evalLoss.add(value.asDouble());
      }
    }
    List<Svg.Series> series = new ArrayList<>();
    int window = Math.max(1, loss.length / MEAN_WINDOWS);
    if (window == 1) {
      series.add(new Svg.Series("mini-batch loss", Palette.BLUE, steps.step(), loss, false, 2));
    } else {
      series.add(new Svg.Series("mini-batch loss", LIGHT_BLUE, steps.step(), loss, false, 1));
      series.add(new Svg.Series("mean of the last " + window + " steps", Palette.BLUE, steps.step(),
          runningMean(loss, window), false, 2));
    }
    series.add(new Svg.Series("held-out", Palette.VERMILLION, toArray(evalStep), toArray(evalLoss), true, 0));
    List<Svg.Level> levels = new ArrayList<>();
    if (lm && log.at("/baseline/best_bits_per_base").isNumber()) {
      levels.add(new Svg.Level("order-" + log.at("/baseline/best_order").asInt() + " Markov model, held-out",
          Palette.GREEN, log.at("/baseline/best_bits_per_base").asDouble()));
    }
    h.append("<section id=\"loss\"><h2>Loss</h2><p>")
        .append(lm ? "Next-base cross-entropy in bits per base" : "Cross-entropy in nats per sequence")
        .append(" of every mini-batch and of the held-out set after each epoch")
        .append(levels.isEmpty() ? "" : ", against the best Markov model on the same held-out bases")
        .append(".</p>");
    h.append(Svg.lines("loss", "step", lm ? "bits per base" : "cross-entropy (nats)", series, levels, null))
        .append("</section>\n");
  }

  private static void accuracy(StringBuilder h, JsonNode log) {
    List<Double> step = new ArrayList<>();
    List<Double> accuracy = new ArrayList<>();
    for (JsonNode e : log.path("evaluations")) {
      if (e.path("accuracy").isNumber()) {
        step.add(e.path("step").asDouble());
        accuracy.add(e.path("accuracy").asDouble());
      }
    }
    if (step.isEmpty()) {
      return;
    }
    List<Svg.Level> levels = new ArrayList<>();
    if (log.at("/baseline/held_out_accuracy").isNumber()) {
      levels.add(new Svg.Level("TF-IDF + logistic regression, same split", Palette.GREEN,
          log.at("/baseline/held_out_accuracy").asDouble()));
    }
    h.append("<section id=\"accuracy\"><h2>Held-out accuracy</h2>");
    h.append(Svg.lines("accuracy", "step", "accuracy", List.of(new Svg.Series("held-out accuracy",
        Palette.VERMILLION, toArray(step), toArray(accuracy), true, 0)), levels, new double[] {0, 1}))
        .append("</section>\n");
  }

  private static void schedule(StringBuilder h, JsonNode log, Steps steps) {
    if (steps.step().length == 0) {
      return;
    }
    h.append("<section id=\"schedule\"><h2>Optimizer</h2>");
    h.append(Svg.lines("learning_rate", "step", "learning rate", List.of(new Svg.Series("learning rate",
        Palette.BLUE, steps.step(), steps.lr(), false, 2)), List.of(), null));
    double clip = log.at("/settings/clip_norm").asDouble();
    h.append(Svg.lines("gradient_norm", "step", "gradient norm", List.of(new Svg.Series(
        "global gradient norm, before clipping", Palette.BLUE, steps.step(), steps.gradientNorm(), false, 1.5)),
        clip > 0 ? List.of(new Svg.Level("clip norm", Palette.VERMILLION, clip)) : List.of(), null));
    h.append(Svg.lines("tokens_per_second", "step", "tokens per second", List.of(new Svg.Series(
        "tokens per second", Palette.GREEN, steps.step(), steps.tokensPerSecond(), false, 1.5)), List.of(), null));
    h.append("</section>\n");
  }

  /** Mean of values[i − window + 1 .. i] (fewer at the start), summed afresh so no error accumulates. */
  static double[] runningMean(double[] values, int window) {
    double[] mean = new double[values.length];
    for (int i = 0; i < values.length; i++) {
      int from = Math.max(0, i - window + 1);
      double sum = 0;
      for (int j = from; j <= i; j++) {
        sum += values[j];
      }
      mean[i] = sum / (i - from + 1);
    }
    return mean;
  }

  private static double[] toArray(List<Double> values) {
    return values.stream().mapToDouble(Double::doubleValue).toArray();
  }
}
