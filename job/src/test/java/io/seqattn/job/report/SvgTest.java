package io.seqattn.job.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The line chart's axes and tick labels, and the training report's running mean. */
class SvgTest {
  /** Tick spacings are decimal numbers computed in double: equal to within a few ulps. */
  private static final double ALLOWED_ERROR = 1e-15;

  @Test
  void tickStepsAreOneTwoOrFiveTimesAPowerOfTen() {
    assertEquals(1, Svg.tickStep(5), ALLOWED_ERROR);
    assertEquals(0.05, Svg.tickStep(0.26), ALLOWED_ERROR);
    assertEquals(0.002, Svg.tickStep(0.0105), ALLOWED_ERROR);
    assertEquals(2000, Svg.tickStep(9000), ALLOWED_ERROR * 2000);
    assertEquals(10, Svg.tickStep(40), ALLOWED_ERROR * 10);
  }

  @Test
  void tickLabelsAreShortAndExact() {
    assertEquals("0.3", Svg.compact(0.1 + 0.2));
    assertEquals("0.002", Svg.compact(0.002));
    assertEquals("2.15", Svg.compact(2.15));
    assertEquals("4600", Svg.compact(4600));
    assertEquals("9437", Svg.compact(9437.2));
    assertEquals("12.3k", Svg.compact(12_345));
  }

  @Test
  void aLineChartsTicksCoverItsDataAndLabelsAreRoundNumbers() {
    String chart = Svg.lines("c", "step", "loss", List.of(new Svg.Series("s", Palette.BLUE, new double[] {1, 2, 3, 6},
        new double[] {2.21, 2.19, Double.NaN, 1.97}, false, 1)), List.of(new Svg.Level("base", Palette.GREEN, 1.9)),
        null);
    for (String tick : List.of(">1.85<", ">1.9<", ">2.25<", ">1<", ">6<")) {
      assertTrue(chart.contains(tick), tick + " in " + chart);
    }
    assertEquals(2, chart.split("<polyline class=\"mark\"").length - 1, "a NaN breaks the line in two");
    assertTrue(chart.contains("<title>base: 1.900</title>"), chart);
  }

  @Test
  void theRunningMeanAveragesTheLastWindow() {
    assertArrayEquals(new double[] {1, 1.5, 2.5, 3.5}, TrainingReport.runningMean(new double[] {1, 2, 3, 4}, 2),
        ALLOWED_ERROR);
  }
}
