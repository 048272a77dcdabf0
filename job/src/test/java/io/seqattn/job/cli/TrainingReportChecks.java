package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.seqattn.job.report.TrainingReport;
import io.seqattn.job.testing.HeadlessChromium;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of a training run's report.html, shared by the classifier and language-model tests
 * (which train anyway): its marks against train.json, the page drawn again by `seqattn report`, and
 * the page in a real headless Chromium when one is installed.
 */
final class TrainingReportChecks {
  private TrainingReportChecks() {}

  static void check(Path out, JsonNode log) throws Exception {
    Path report = out.resolve("report.html");
    String html = Files.readString(report, StandardCharsets.UTF_8);
    int steps = log.get("steps").size();
    int evaluations = 0;
    for (JsonNode e : log.get("evaluations")) {
      evaluations += e.has("loss") || e.has("bits_per_base") ? 1 : 0;
    }
    String loss = RunReportHtmlTest.chart(html, "loss");
    assertEquals(evaluations, RunReportHtmlTest.count(loss, "<circle class=\"mark\""), "a dot per evaluation");
    assertEquals(steps >= 2 * TrainingReport.MEAN_WINDOWS ? List.of(steps, steps) : List.of(steps), polylinePoints(loss),
        "the mini-batch losses (and their running mean, from 50 steps on)");
    boolean lm = log.get("task").asText().equals("lm");
    double lastLoss = log.at("/steps/" + (steps - 1) + "/loss").asDouble() / (lm ? Math.log(2) : 1);
    assertTrue(loss.contains("the last " + precise(lastLoss) + "</title>"), loss);
    if (lm) {
      assertTrue(loss.contains("Markov model, held-out: " + precise(log.at("/baseline/best_bits_per_base")
          .asDouble())), "the Markov baseline is drawn");
    } else {
      String accuracy = RunReportHtmlTest.chart(html, "accuracy");
      assertEquals(evaluations, RunReportHtmlTest.count(accuracy, "<circle class=\"mark\""));
      assertTrue(accuracy.contains("TF-IDF + logistic regression, same split: "), "the TF-IDF baseline is drawn");
    }
    assertTrue(!html.contains("<script"), "no script");
    assertEquals(RunReportHtmlTest.count(html, "xmlns=\"http://www.w3.org/2000/svg\""),
        RunReportHtmlTest.count(html, "http"), "the only URL is the SVG namespace");

    Files.delete(report);
    BadInputTest.Result r = BadInputTest.cli("report", "--run", out.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(html, Files.readString(report, StandardCharsets.UTF_8), "seqattn report draws the same page");
    r = BadInputTest.cli("report", "--run", out.toString(), "--color-by", "party");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("is a training run: --color-by"), r.err());

    if (!HeadlessChromium.installed()) {
      System.err.println("TrainingReportChecks: Chromium is not installed, the page is not loaded");
      return;
    }
    List<String> charts = new ArrayList<>(List.of("loss", "learning_rate", "gradient_norm", "tokens_per_second"));
    if (!lm) {
      charts.add("accuracy");
    }
    try (HeadlessChromium browser = new HeadlessChromium()) {
      browser.load(report);
      RunReportHtmlTest.assertChartsDrawn(browser, charts);
      assertEquals(List.of(), browser.errors(), "console errors");
      assertEquals(List.of(report.toUri().toString()), browser.requests(), "nothing fetched but the page");
      Files.write(Path.of("target", "train-report-" + log.get("task").asText() + "-screenshot.png"),
          browser.screenshot());
    }
  }

  /** The number of points of each polyline of a chart, in order. */
  private static List<Integer> polylinePoints(String chart) {
    Matcher m = Pattern.compile("<polyline class=\"mark\" points=\"([^\"]*)\"").matcher(chart);
    List<Integer> counts = new ArrayList<>();
    while (m.find()) {
      counts.add(m.group(1).split(" ").length);
    }
    return counts;
  }

  private static String precise(double v) {
    return String.format(java.util.Locale.ROOT, "%.4g", v);
  }
}
