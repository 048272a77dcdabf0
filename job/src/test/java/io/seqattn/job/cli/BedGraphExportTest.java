package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.seqattn.job.testing.SparkTestSession;
import io.seqattn.job.testing.TestModels;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code export --bedgraph} against a track built independently here from the run's
 * {@code outputs/} table and the FASTA itself: every base's value (or no value) per sequence, which
 * the exported file must reproduce bit for bit when expanded, with maximal runs and in
 * {@code bedGraphToBigWig}'s order. Real genomes from sample-corpus, several chunks each.
 */
class BedGraphExportTest {

  @BeforeAll
  static void spark() {
    SparkTestSession.get();
  }

  @Test
  void strideOneTrackOfTwoGenomesWithSizesFromTheFaiMatchesTheOutputsPerBase(@TempDir Path tmp) throws Exception {
    Path fasta = tmp.resolve("genomes.fa");
    concatenate(fasta, "lambda_phage.fa.gz", "human_chrM.fa.gz");
    assertEquals(0, BadInputTest.cli("index", fasta.toString()).status());
    Path run = run(tmp, fasta, 3, 1, 4000);

    Path bg = tmp.resolve("tracks").resolve("channel5.bedGraph");
    Files.createDirectories(bg.getParent());
    BadInputTest.Result r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(),
        "--quantity", "channel:5");
    assertEquals(0, r.status(), r.err());
    Map<String, Integer> lengths = fastaLengths(fasta);
    assertTrack(bg, expected(run, lengths, 3, 1, row -> row[5]), lengths);
    try (Stream<Path> files = Files.list(bg.getParent())) {
      assertEquals(List.of(bg), files.toList(), "no temporary or checksum file is left beside the track");
    }

    Path norm = tmp.resolve("norm.bedGraph");
    r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", norm.toString());
    assertEquals(0, r.status(), r.err());
    assertTrack(norm, expected(run, lengths, 3, 1, BedGraphExportTest::norm), lengths);

    java.io.PrintStream stdout = System.out;
    java.io.ByteArrayOutputStream piped = new java.io.ByteArrayOutputStream();
    try {
      System.setOut(new java.io.PrintStream(piped, true, StandardCharsets.UTF_8));
      r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", "-", "--seq-id", "MT_human");
    } finally {
      System.setOut(stdout);
    }
    assertEquals(0, r.status(), r.err());
    List<String> human = Files.readAllLines(norm).stream().filter(l -> l.startsWith("MT_human\t")).toList();
    assertTrue(human.size() > 1000);
    assertEquals(human, piped.toString(StandardCharsets.UTF_8).lines().toList(),
        "- writes the same lines to standard output");
  }

  @Test
  void strideTwoTrackOfOneSequenceWithChromSizesClipsTheLastInterval(@TempDir Path tmp) throws Exception {
    Path fasta = TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz");
    Map<String, Integer> lengths = fastaLengths(fasta);
    Path run = run(tmp, fasta, 4, 2, 1000);
    Path sizes = tmp.resolve("phix.chrom.sizes");
    StringBuilder text = new StringBuilder();
    lengths.forEach((id, l) -> text.append(id).append('\t').append(l).append('\n'));
    Files.writeString(sizes, text);
    String id = lengths.keySet().stream().sorted().skip(2).findFirst().orElseThrow();

    Path bg = tmp.resolve("one.bedGraph");
    BadInputTest.Result r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(),
        "--quantity", "channel:0", "--seq-id", id, "--chrom-sizes", sizes.toString());
    assertEquals(0, r.status(), r.err());
    Map<String, float[]> all = expected(run, lengths, 4, 2, row -> row[0]);
    assertTrack(bg, Map.of(id, all.get(id)), lengths);
    // phiX174 is 5,386 bases: the last 4-mer at stride 2 starts at 5,382 and covers [5382, 5384).
    assertFalse(Float.isNaN(all.get(id)[5383]));
    assertTrue(Float.isNaN(all.get(id)[5384]));
  }

  @Test
  void absentPositionsUnderSkipNAreGapsInTheTrack(@TempDir Path tmp) throws Exception {
    Path fasta = tmp.resolve("gap.fa");
    String left = readFirstSequence(TestModels.sampleCorpus().resolve("lambda_phage.fa.gz")).substring(0, 3000);
    Files.writeString(fasta, ">contig1 with a gap\n" + left.substring(0, 1200) + "N".repeat(50) + left.substring(1200)
        + "\n");
    assertEquals(0, BadInputTest.cli("index", fasta.toString()).status());
    Path run = run(tmp, fasta, 3, 1, 500, "--skip-n");
    Path bg = tmp.resolve("gap.bedGraph");
    BadInputTest.Result r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString());
    assertEquals(0, r.status(), r.err());
    Map<String, Integer> lengths = fastaLengths(fasta);
    Map<String, float[]> want = expected(run, lengths, 3, 1, BedGraphExportTest::norm);
    // k-mers touching the 50 N's start at 1198..1249: 52 bases without a value.
    float[] v = want.get("contig1");
    assertFalse(Float.isNaN(v[1197]));
    assertTrue(Float.isNaN(v[1198]) && Float.isNaN(v[1249]));
    assertFalse(Float.isNaN(v[1250]));
    assertTrack(bg, want, lengths);
  }

  @Test
  void unusableRunsAndSizesAreOneLineEachAndLeaveNoFile(@TempDir Path tmp) throws Exception {
    Path fasta = TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz");
    Path run = run(tmp, fasta, 3, 1, 2000);
    Path bg = tmp.resolve("t.bedGraph");

    BadInputTest.Result r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString());
    assertNotEquals(0, r.status());
    assertTrue(r.err().contains("none of the run's inputs has a .fai") && r.err().contains("--chrom-sizes"), r.err());

    Path shortSizes = tmp.resolve("short.sizes");
    Map<String, Integer> lengths = fastaLengths(fasta);
    StringBuilder text = new StringBuilder();
    lengths.forEach((id, l) -> text.append(id).append('\t').append(l - 10).append('\n'));
    Files.writeString(shortSizes, text);
    r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(), "--chrom-sizes",
        shortSizes.toString());
    assertNotEquals(0, r.status());
    assertTrue(r.err().contains("bases long in " + shortSizes), r.err());

    Files.writeString(shortSizes, "chr1 1000\n");
    r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(), "--chrom-sizes",
        shortSizes.toString());
    assertTrue(r.err().contains("seqattn: error: " + shortSizes + ":1: expected 'name<TAB>length'"), r.err());

    Path sizes = tmp.resolve("phix.sizes");
    Files.writeString(sizes, text.toString().replace("\t5376\n", "\t5386\n"));
    r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(), "--quantity", "channel:99",
        "--chrom-sizes", sizes.toString());
    assertTrue(r.err().contains("out of range: the run's outputs have 16 channels"), r.err());
    r = BadInputTest.cli("export", "--run", run.toString(), "--bedgraph", bg.toString(), "--quantity", "mean");
    assertTrue(r.err().contains("--quantity must be 'norm' or 'channel:N'"), r.err());
    assertFalse(Files.exists(bg));
    try (Stream<Path> files = Files.list(tmp)) {
      assertTrue(files.noneMatch(f -> f.getFileName().toString().contains("partial")), "no partial file");
    }

    Path model = tmp.resolve("words-model");
    assertEquals(0, BadInputTest.cli("init-model", "--out", model.toString(), "--tokenizer", "words",
        "--vocab-size", "512", "--d-model", "8", "--heads", "1", "--d-head", "8", "--seed", "1").status());
    Path words = tmp.resolve("words-run");
    r = BadInputTest.cli("run", "--input", TestModels.sampleCorpus().resolve("sotu_sample.jsonl").toString(),
        "--format", "jsonl", "--model", model.toString(), "--output", words.toString(), "--emit-outputs");
    assertEquals(0, r.status(), r.err());
    r = BadInputTest.cli("export", "--run", words.toString(), "--bedgraph", bg.toString());
    assertTrue(r.err().contains("needs a run of a dna model; this run's tokenizer is 'words'"), r.err());
  }

  private static Path run(Path tmp, Path fasta, int k, int stride, int chunk, String... extra) {
    Path model = tmp.resolve("model-k" + k + "-s" + stride);
    if (!Files.isDirectory(model)) {
      assertEquals(0, BadInputTest.cli("init-model", "--out", model.toString(), "--d-model", "16", "--heads", "2",
          "--d-head", "8", "--k", Integer.toString(k), "--stride", Integer.toString(stride), "--seed", "7").status());
    }
    Path run = tmp.resolve("run-" + fasta.getFileName() + "-" + k + "-" + stride);
    List<String> args = new ArrayList<>(List.of("run", "--input", fasta.toString(), "--format", "fasta", "--model",
        model.toString(), "--output", run.toString(), "--chunk-size", Integer.toString(chunk), "--emit-outputs"));
    args.addAll(List.of(extra));
    BadInputTest.Result r = BadInputTest.cli(args.toArray(String[]::new));
    assertEquals(0, r.status(), r.err());
    return run;
  }

  /** A function of one position's output row. */
  private interface RowValue {
    float of(float[] row);
  }

  private static float norm(float[] row) {
    double s = 0;
    for (float v : row) {
      s += (double) v * v;
    }
    return (float) Math.sqrt(s);
  }

  /** Every base's value (NaN: none) per sequence, from outputs/ read row by row, positions placed by hand. */
  private static Map<String, float[]> expected(Path run, Map<String, Integer> lengths, int k, int stride,
      RowValue value) {
    Map<String, float[]> perBase = new TreeMap<>();
    lengths.forEach((id, l) -> {
      float[] v = new float[l];
      Arrays.fill(v, Float.NaN);
      perBase.put(id, v);
    });
    List<Row> rows = SparkTestSession.get().read().parquet(run.resolve("outputs").toString())
        .select("seq_id", "start", "tokens", "width", "output").collectAsList();
    assertTrue(rows.size() >= 4, "the outputs span several chunks");
    for (Row r : rows) {
      float[] bases = perBase.get(r.getString(0));
      int width = r.getInt(3);
      List<Float> out = r.getList(4);
      for (int t = 0; t < r.getInt(2); t++) {
        float[] row = new float[width];
        for (int f = 0; f < width; f++) {
          row[f] = out.get(t * width + f);
        }
        boolean absent = Float.isNaN(row[0]);
        long p = r.getLong(1) + t;
        for (int b = 0; b < stride; b++) {
          int base = (int) (p * stride + b);
          assertTrue(p * stride + k <= bases.length, "token inside its sequence");
          if (base < bases.length) {
            bases[base] = absent ? Float.NaN : value.of(row);
          }
        }
      }
    }
    return perBase;
  }

  /** Reads the exported file back: sorted, within sizes, maximal runs, and equal to {@code want} per base. */
  private static void assertTrack(Path bedGraph, Map<String, float[]> want, Map<String, Integer> lengths)
      throws IOException {
    Map<String, float[]> got = new LinkedHashMap<>();
    String[] previous = null;
    for (String line : Files.readAllLines(bedGraph)) {
      String[] f = line.split("\t");
      assertEquals(4, f.length, line);
      long start = Long.parseLong(f[1]);
      long end = Long.parseLong(f[2]);
      float v = Float.parseFloat(f[3]);
      assertTrue(start < end && end <= lengths.get(f[0]), line);
      if (previous != null) {
        int byName = Arrays.compareUnsigned(previous[0].getBytes(StandardCharsets.UTF_8),
            f[0].getBytes(StandardCharsets.UTF_8));
        assertTrue(byName <= 0, "sorted by chromosome: " + line);
        if (byName == 0) {
          assertTrue(Long.parseLong(previous[2]) <= start, "sorted and not overlapping: " + line);
          assertFalse(Long.parseLong(previous[2]) == start && Float.parseFloat(previous[3]) == v,
              "equal neighbours merged: " + line);
        } else {
          assertFalse(got.containsKey(f[0]), "each chromosome once: " + line);
        }
      }
      float[] bases = got.computeIfAbsent(f[0], id -> {
        float[] b = new float[lengths.get(id)];
        Arrays.fill(b, Float.NaN);
        return b;
      });
      for (long b = start; b < end; b++) {
        bases[(int) b] = v;
      }
      previous = f;
    }
    assertEquals(want.keySet(), new TreeMap<>(got).keySet());
    for (Map.Entry<String, float[]> e : want.entrySet()) {
      float[] g = got.get(e.getKey());
      float[] w = e.getValue();
      for (int b = 0; b < w.length; b++) {
        assertEquals(Float.floatToIntBits(w[b]), Float.floatToIntBits(g[b]), e.getKey() + " base " + b);
      }
    }
  }

  /** Base counts per record, read from the FASTA here (independently of seqattn's reader and .fai). */
  private static Map<String, Integer> fastaLengths(Path fasta) throws IOException {
    Map<String, Integer> lengths = new LinkedHashMap<>();
    String id = null;
    try (BufferedReader in = reader(fasta)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith(">")) {
          id = line.substring(1).strip().split("\\s+")[0];
          lengths.put(id, 0);
        } else {
          lengths.merge(id, line.strip().length(), Integer::sum);
        }
      }
    }
    return lengths;
  }

  private static String readFirstSequence(Path fasta) throws IOException {
    StringBuilder s = new StringBuilder();
    try (BufferedReader in = reader(fasta)) {
      in.readLine();
      for (String line = in.readLine(); line != null && !line.startsWith(">"); line = in.readLine()) {
        s.append(line.strip());
      }
    }
    return s.toString();
  }

  private static BufferedReader reader(Path fasta) throws IOException {
    return new BufferedReader(new InputStreamReader(fasta.toString().endsWith(".gz")
        ? new GZIPInputStream(Files.newInputStream(fasta)) : Files.newInputStream(fasta), StandardCharsets.UTF_8));
  }

  private static void concatenate(Path target, String... sampleFiles) throws IOException {
    try (OutputStream out = Files.newOutputStream(target)) {
      for (String name : sampleFiles) {
        try (GZIPInputStream in = new GZIPInputStream(Files.newInputStream(TestModels.sampleCorpus().resolve(name)))) {
          in.transferTo(out);
        }
      }
    }
  }
}
