package io.seqattn.job.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.seqattn.core.features.FeatureMaps;
import io.seqattn.core.model.ModelConfig;
import io.seqattn.core.model.ModelDirectory;
import io.seqattn.core.model.ModelInitializer;
import io.seqattn.core.model.Positional;
import io.seqattn.core.model.TokenizerSpec;
import io.seqattn.job.report.Palette;
import io.seqattn.job.testing.TestModels;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The approximation study end to end on real DNA: it writes its table, JSON and plot, and shows what
 * it exists to show — with small logits favor+'s error falls as m grows, and every error is finite.
 */
class ApproxErrorTest {

  @Test
  void studyOnPhiX(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(TestModels.dna(), model);
    Path out = tmp.resolve("study");
    BadInputTest.Result r = BadInputTest.cli("approx-error", "--input",
        TestModels.sampleCorpus().resolve("phiX174_variants.fa.gz").toString(), "--format", "fasta",
        "--model-dir", model.toString(), "--features", "16,256", "--maps", "favor+,elu", "--seeds", "3",
        "--sequences", "2", "--tokens", "400", "--qk-scales", "0.25", "--out", out.toString());
    assertEquals(0, r.status(), r.err());

    String md = Files.readString(out.resolve("approx-error.md"));
    assertTrue(md.contains("| 0.25 | 0.0625 |") && md.contains("| favor+ | 256 |") && md.contains("| elu | 8 |"), md);
    JsonNode json = new ObjectMapper().readTree(out.resolve("approx-error.json").toFile());
    assertEquals(3, json.get("points").size(), "favor+ at two m, elu at m = d_head");
    assertEquals(2, json.get("sequences").size());
    JsonNode small = json.get("points").get(0);
    JsonNode large = json.get("points").get(1);
    assertEquals(6, small.get("errors").size(), "3 draws × 2 sequences");
    for (JsonNode p : json.get("points")) {
      assertTrue(p.get("mean").asDouble() > 0 && p.get("mean").asDouble() < 1, p.toString());
    }
    assertTrue(large.get("mean").asDouble() < 0.6 * small.get("mean").asDouble(),
        "favor+ with 16x the features is far closer to softmax: " + small + " / " + large);
    BufferedImage png = ImageIO.read(out.resolve("approx-error.png").toFile());
    assertEquals(600, png.getWidth(), "one panel: one logit scale");
  }

  @Test
  void plotHasAPanelPerLogitScaleAndEachMapItsOwnColourInEveryPanel(@TempDir Path tmp) throws Exception {
    List<io.seqattn.core.features.FeatureMap> maps = List.of(FeatureMaps.ELU, FeatureMaps.RELU, FeatureMaps.IDENTITY);
    double[] scales = {0.25, 1, 2};
    List<ApproxErrorCommand.Point> points = new java.util.ArrayList<>();
    for (double scale : scales) {
      for (int k = 0; k < maps.size(); k++) {
        for (int m : new int[] {4, 16, 64}) {
          points.add(new ApproxErrorCommand.Point(scale, scale * 3, maps.get(k), m,
              new double[] {0.1 * (k + 1) * scale / Math.sqrt(m), 0.12 * (k + 1) * scale / Math.sqrt(m)}));
        }
      }
    }
    Path file = tmp.resolve("plot.png");
    ErrorPlot.write(file, "test", points);
    BufferedImage png = ImageIO.read(file.toFile());
    assertEquals(ErrorPlot.LEFT + 3 * (ErrorPlot.PANEL_WIDTH + ErrorPlot.GAP) + 10, png.getWidth());
    for (int panel = 0; panel < scales.length; panel++) {
      int[] origin = ErrorPlot.panelOrigin(panel);
      java.util.Set<Integer> seen = new java.util.HashSet<>();
      for (int x = origin[0]; x < origin[0] + ErrorPlot.PANEL_WIDTH; x++) {
        for (int y = origin[1]; y < origin[1] + ErrorPlot.PANEL_HEIGHT; y++) {
          seen.add(png.getRGB(x, y) & 0xffffff);
        }
      }
      for (int k = 0; k < maps.size(); k++) {
        assertTrue(seen.contains(Palette.awt(k).getRGB() & 0xffffff), "panel " + panel + " draws map " + k);
      }
      assertTrue(!seen.contains(Palette.awt(maps.size()).getRGB() & 0xffffff), "no fourth series colour");
    }
  }

  @Test
  void idsComeFromTheNamedFieldAndParquetIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    Path model = tmp.resolve("model");
    ModelDirectory.save(ModelInitializer.random(new ModelConfig(TokenizerSpec.ids(100), 8, 1, 8, FeatureMaps.ELU,
        Positional.SINUSOIDAL, 1e-6), 0, 3), model);
    StringBuilder jsonl = new StringBuilder();
    for (int d = 0; d < 2; d++) {
      StringBuilder ids = new StringBuilder();
      for (int i = 0; i < 200; i++) {
        ids.append(i == 0 ? "" : ",").append((i * 37 + d * 11) % 100);
      }
      jsonl.append("{\"id\": \"doc").append(d).append("\", \"tokens\": [").append(ids).append("]}\n");
    }
    Path docs = Files.writeString(tmp.resolve("docs.jsonl"), jsonl);
    Path out = tmp.resolve("study");
    BadInputTest.Result r = BadInputTest.cli("approx-error", "--input", docs.toString(), "--format", "ids",
        "--ids-field", "tokens", "--model-dir", model.toString(), "--features", "16", "--maps", "elu", "--seeds", "1",
        "--sequences", "2", "--tokens", "100", "--out", out.toString());
    assertEquals(0, r.status(), r.err());
    assertEquals(2, new ObjectMapper().readTree(out.resolve("approx-error.json").toFile()).get("sequences").size());

    Path table = Files.write(tmp.resolve("ids.parquet"), new byte[] {'P', 'A', 'R', '1'});
    Path refused = tmp.resolve("refused");
    r = BadInputTest.cli("approx-error", "--input", table.toString(), "--format", "ids", "--model-dir",
        model.toString(), "--out", refused.toString());
    assertEquals(1, r.status());
    assertEquals(1, r.err().lines().count(), r.err());
    assertTrue(r.err().startsWith("seqattn: error: " + table.toAbsolutePath() + ": approx-error reads"), r.err());
    assertTrue(Files.notExists(refused));
  }
}
