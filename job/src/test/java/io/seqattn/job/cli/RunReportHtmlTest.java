package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.job.testing.HeadlessChromium;
import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * report.html of a document run: its numbers against run.json and the embeddings table, and the page
 * in a real headless Chromium — no console errors, no request but its own file, every chart drawn.
 */
class RunReportHtmlTest {
  private static final List<String> CHARTS = List.of("timeline", "throughput", "lengths", "projection");

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @Test
  void aDocumentRunsReportShowsItsNumbersAndLoadsCleanInChromium(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    assertEquals(0, BadInputTest.cli("init-model", "--out", model.toString(), "--tokenizer", "words", "--vocab-size", "4096", "--d-model", "16",
        "--heads", "2", "--d-head", "8", "--seed", "5").status());
    Path run = tmp.resolve("run");
    BadInputTest.Result r = BadInputTest.cli("run", "--input", TestModels.sampleCorpus().resolve("sotu_sample.jsonl")
        .toString(), "--format", "jsonl", "--model", model.toString(), "--output", run.toString(),
        "--chunk-size", "1024", "--report-color-by", "party", "--quiet");
    assertEquals(0, r.status(), r.err());
    Path report = run.resolve("report.html");
    String html = Files.readString(report, StandardCharsets.UTF_8);
    JsonNode runJson = new ObjectMapper().readTree(run.resolve("run.json").toFile());

    int sequences = runJson.at("/counts/sequences").asInt();
    assertEquals(7, sequences);
    assertEquals(sequences, count(html, "<circle class=\"mark\""), "one point per embedding");
    assertEquals(sequences, histogramTotal(html, "lengths"), "the length histogram counts every sequence");
    assertEquals(runJson.path("stage_timeline").size(), count(chart(html, "timeline"), "class=\"mark\""));
    assertTrue(runJson.path("stage_timeline").size() >= 3, runJson.toString());
    List<String> parties = SparkTestSession.get().read().json(TestModels.sampleCorpus().resolve("sotu_sample.jsonl")
        .toString()).select("party").distinct().as(org.apache.spark.sql.Encoders.STRING()).collectAsList();
    for (String party : parties) {
      assertTrue(html.contains("</span>" + party + "</li>"), "legend names " + party);
    }
    assertTrue(!html.contains("<script"), "no script");
    assertEquals(count(html, "xmlns=\"http://www.w3.org/2000/svg\""), count(html, "http"),
        "the only URL is the SVG namespace");

    r = BadInputTest.cli("report", "--run", run.toString(), "--color-by", "no_such_field");
    assertEquals(1, r.status());
    assertTrue(r.err().contains("no sequence has a field 'no_such_field'"), r.err());
    assertEquals(html, Files.readString(report, StandardCharsets.UTF_8), "a refused report leaves the old one");
    r = BadInputTest.cli("report", "--run", run.toString(), "--color-by", "president");
    assertEquals(0, r.status(), r.err());
    assertTrue(Files.readString(report).contains("coloured by <code>president</code>"));

    Assumptions.assumeTrue(HeadlessChromium.installed(),
        "Chromium is not installed (apt-get install chromium; .ci/run installs it)");
    try (HeadlessChromium browser = new HeadlessChromium()) {
      browser.load(report);
      assertChartsDrawn(browser, CHARTS);
      assertEquals(List.of(), browser.errors(), "console errors");
      assertEquals(List.of(report.toUri().toString()), browser.requests(), "nothing fetched but the page");
      Files.write(Path.of("target", "report-screenshot.png"), browser.screenshot());
    }
  }

  /** Every named chart is in the page, wider than 100 px, with data marks of non-zero size. */
  static void assertChartsDrawn(HeadlessChromium browser, List<String> names) throws Exception {
    JsonNode charts = browser.evaluate("[...document.querySelectorAll('svg.chart')].map(svg => ({"
        + "name: svg.dataset.chart, width: svg.getBoundingClientRect().width,"
        + "marks: [...svg.querySelectorAll('.mark')].filter(m => { const b = m.getBBox();"
        + " return b.width > 0 && (b.height > 0 || m.tagName === 'polyline'); }).length }))");
    for (String name : names) {
      JsonNode chart = null;
      for (JsonNode c : charts) {
        if (c.path("name").asText().equals(name)) {
          chart = c;
        }
      }
      assertTrue(chart != null, name + " is drawn: " + charts);
      assertTrue(chart.path("width").asDouble() > 100, name + ": " + chart);
      assertTrue(chart.path("marks").asInt() > 0, name + " has data: " + chart);
    }
  }

  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  static String chart(String html, String name) {
    int start = html.indexOf("data-chart=\"" + name + "\"");
    assertTrue(start >= 0, "no chart " + name);
    return html.substring(start, html.indexOf("</svg>", start));
  }

  /** The sum of the counts in a histogram's bar tooltips ("label: count"). */
  private static long histogramTotal(String html, String name) {
    Matcher m = Pattern.compile("<title>[^<]*: (\\d+)</title>").matcher(chart(html, name));
    long total = 0;
    while (m.find()) {
      total += Long.parseLong(m.group(1));
    }
    return total;
  }
}
