package io.seqattn.job.report;

import java.util.List;
import java.util.Locale;

/**
 * Plain SVG charts as text. Every chart is an {@code <svg class="chart" data-chart=NAME>} whose data
 * are drawn as elements of class {@code mark}, each with a {@code <title>} (the browser's tooltip).
 */
final class Svg {
  static final int WIDTH = 720;
  static final int LEFT = 160;
  static final int RIGHT = 24;
  static final int TOP = 16;
  static final int BOTTOM = 40;
  private Svg() {}

  /** A bar of a horizontal bar chart or a timeline: from {@code start} to {@code end} on row {@code label}. */
  record Bar(String label, double start, double end, String color, String tooltip) {}

  /** A point of a scatter plot. */
  record Point(double x, double y, String color, String tooltip) {}

  /** Horizontal bars, one row each, on a shared axis from 0 to the largest end. */
  static String bars(String name, String axisLabel, List<Bar> bars) {
    int rowHeight = 22;
    int height = TOP + BOTTOM + rowHeight * bars.size();
    double max = bars.stream().mapToDouble(Bar::end).max().orElse(1);
    max = max > 0 ? max : 1;
    double plot = WIDTH - LEFT - RIGHT;
    StringBuilder s = open(name, height);
    for (int i = 0; i < bars.size(); i++) {
      Bar b = bars.get(i);
      double y = TOP + i * rowHeight;
      s.append(text(LEFT - 8, y + rowHeight * 0.65, "end", b.label()));
      double x0 = LEFT + plot * b.start() / max;
      double w = Math.max(1, plot * (b.end() - b.start()) / max);
      s.append(String.format(Locale.ROOT,
          "<rect class=\"mark\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%d\" fill=\"%s\"><title>%s</title></rect>",
          x0, y + 3, w, rowHeight - 6, b.color(), Html.escape(b.tooltip())));
    }
    axis(s, height, 0, max, axisLabel);
    return s.append("</svg>").toString();
  }

  /** Vertical bars over labelled bins (a histogram whose bins are named, such as "1–2 kb"). */
  static String histogram(String name, String axisLabel, List<String> bins, long[] counts, String color) {
    int height = 240;
    int left = 56;
    double plotWidth = WIDTH - left - RIGHT;
    double plotHeight = height - TOP - BOTTOM - 20;
    long max = 1;
    for (long c : counts) {
      max = Math.max(max, c);
    }
    StringBuilder s = open(name, height);
    double slot = plotWidth / bins.size();
    for (int i = 0; i < bins.size(); i++) {
      double h = plotHeight * counts[i] / max;
      double x = left + i * slot;
      if (counts[i] > 0) {
        s.append(String.format(Locale.ROOT,
            "<rect class=\"mark\" x=\"%.2f\" y=\"%.2f\" width=\"%.2f\" height=\"%.2f\" fill=\"%s\"><title>%s: %d</title></rect>",
            x + 1, TOP + plotHeight - h, Math.max(1, slot - 2), Math.max(1, h), color, Html.escape(bins.get(i)),
            counts[i]));
      }
      if (bins.size() <= 16 || i % 2 == 0) {
        s.append(text(x + slot / 2, TOP + plotHeight + 14, "middle", bins.get(i)));
      }
    }
    s.append(text(left - 6, TOP + 10, "end", Long.toString(max)));
    s.append(text(left - 6, TOP + plotHeight, "end", "0"));
    s.append(text(left + plotWidth / 2, height - 6, "middle", axisLabel));
    return s.append("</svg>").toString();
  }

  /**
   * A series of a line chart: {@code y[i]} at {@code x[i]}, drawn as a line, or as dots each with its
   * own tooltip ({@code dots}) for a few measured points such as held-out evaluations.
   */
  record Series(String label, String color, double[] x, double[] y, boolean dots, double strokeWidth) {}

  /** A horizontal reference line (a baseline to beat, a clipping threshold), dashed. */
  record Level(String label, String color, double y) {}

  /**
   * A line chart on linear axes, with a legend under it: y from {@code yRange} when given, else from
   * the data and levels (non-finite values are left out, a line is broken there).
   */
  static String lines(String name, String xLabel, String yLabel, List<Series> series, List<Level> levels,
      double[] yRange) {
    int plotHeight = 220;
    int left = 64;
    double plotWidth = WIDTH - left - RIGHT;
    int legendTop = TOP + plotHeight + 44;
    int legendRows = legendRows(series.size() + levels.size());
    int height = legendTop + 18 * legendRows + 4;
    double x0 = Double.POSITIVE_INFINITY;
    double x1 = Double.NEGATIVE_INFINITY;
    double y0 = Double.POSITIVE_INFINITY;
    double y1 = Double.NEGATIVE_INFINITY;
    for (Series se : series) {
      for (int i = 0; i < se.x().length; i++) {
        if (Double.isFinite(se.y()[i])) {
          x0 = Math.min(x0, se.x()[i]);
          x1 = Math.max(x1, se.x()[i]);
          y0 = Math.min(y0, se.y()[i]);
          y1 = Math.max(y1, se.y()[i]);
        }
      }
    }
    for (Level l : levels) {
      y0 = Math.min(y0, l.y());
      y1 = Math.max(y1, l.y());
    }
    if (!(x1 > x0)) {
      x0 = Double.isFinite(x0) ? x0 - 1 : 0;
      x1 = x0 + 2;
    }
    double xStep = tickStep(x1 - x0);
    x0 = Math.floor(x0 / xStep) * xStep;
    x1 = Math.ceil(x1 / xStep) * xStep;
    double yStep;
    if (yRange != null) {
      y0 = yRange[0];
      y1 = yRange[1];
      yStep = tickStep(y1 - y0);
    } else {
      if (!(y1 > y0)) {
        double v = Double.isFinite(y0) ? y0 : 0;
        double pad = v == 0 ? 1 : Math.abs(v) * 0.1;
        y0 = v - pad;
        y1 = v + pad;
      }
      boolean nonNegative = y0 >= 0;
      yStep = tickStep(y1 - y0);
      y0 = Math.floor(y0 / yStep) * yStep;
      y1 = Math.ceil(y1 / yStep) * yStep;
      y0 = nonNegative ? Math.max(0, y0) : y0;
    }
    Scale sx = new Scale(x0, x1, left, left + plotWidth);
    Scale sy = new Scale(y0, y1, TOP + plotHeight, TOP);
    StringBuilder s = open(name, height);
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%d\" fill=\"none\" "
        + "stroke=\"#ccc\"/>", left, TOP, plotWidth, plotHeight));
    for (long t = Math.round(x0 / xStep); t * xStep <= x1 + xStep * 1e-9; t++) {
      s.append(text(sx.at(t * xStep), TOP + plotHeight + 14, "middle", compact(t * xStep)));
    }
    for (long t = Math.round(Math.ceil(y0 / yStep - 1e-9)); t * yStep <= y1 + yStep * 1e-9; t++) {
      s.append(text(left - 6, sy.at(t * yStep) + 4, "end", compact(t * yStep)));
    }
    s.append(text(left + plotWidth / 2, TOP + plotHeight + 32, "middle", xLabel));
    s.append(String.format(Locale.ROOT, "<text x=\"12\" y=\"%.1f\" text-anchor=\"middle\" "
        + "transform=\"rotate(-90 12 %.1f)\">%s</text>", TOP + plotHeight / 2.0, TOP + plotHeight / 2.0,
        Html.escape(yLabel)));
    for (Level l : levels) {
      s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.2f\" x2=\"%.1f\" y2=\"%.2f\" stroke=\"%s\" "
          + "stroke-width=\"1.5\" stroke-dasharray=\"6 4\"><title>%s: %s</title></line>", left, sy.at(l.y()),
          left + plotWidth, sy.at(l.y()), l.color(), Html.escape(l.label()), precise(l.y())));
    }
    for (Series se : series) {
      if (se.dots()) {
        for (int i = 0; i < se.x().length; i++) {
          if (Double.isFinite(se.y()[i])) {
            s.append(String.format(Locale.ROOT, "<circle class=\"mark\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" "
                + "fill=\"%s\"><title>%s at %s: %s</title></circle>", sx.at(se.x()[i]), sy.at(se.y()[i]),
                se.color(), Html.escape(se.label()), compact(se.x()[i]), precise(se.y()[i])));
          }
        }
      } else {
        polylines(s, se, sx, sy);
      }
    }
    int entry = 0;
    for (Series se : series) {
      legendEntry(s, entry++, legendTop, se.color(), se.dots() ? "dot" : "line", se.label());
    }
    for (Level l : levels) {
      legendEntry(s, entry++, legendTop, l.color(), "dash", l.label());
    }
    return s.append("</svg>").toString();
  }

  /** A linear map from data values [lo, hi] to pixels [from, to]. */
  private record Scale(double lo, double hi, double from, double to) {
    double at(double v) {
      return from + (to - from) * (v - lo) / (hi - lo);
    }
  }

  /** The series as polylines, one per run of finite values, each a mark whose tooltip sums it up. */
  private static void polylines(StringBuilder s, Series se, Scale sx, Scale sy) {
    StringBuilder points = new StringBuilder();
    int count = 0;
    double last = Double.NaN;
    for (int i = 0; i <= se.x().length; i++) {
      boolean finite = i < se.x().length && Double.isFinite(se.y()[i]);
      if (finite) {
        points.append(String.format(Locale.ROOT, "%.2f,%.2f ", sx.at(se.x()[i]), sy.at(se.y()[i])));
        count++;
        last = se.y()[i];
      } else if (count > 0) {
        s.append(String.format(Locale.ROOT, "<polyline class=\"mark\" points=\"%s\" fill=\"none\" stroke=\"%s\" "
            + "stroke-width=\"%.1f\" stroke-linejoin=\"round\"><title>%s: %d points, the last %s</title></polyline>",
            points.toString().strip(), se.color(), se.strokeWidth(), Html.escape(se.label()), count, precise(last)));
        points.setLength(0);
        count = 0;
      }
    }
  }

  private static final int LEGEND_COLUMNS = 2;

  /** A tick spacing of 1, 2 or 5 times a power of ten that cuts {@code range} into about five. */
  static double tickStep(double range) {
    double raw = range / 5;
    double magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    double n = raw / magnitude;
    return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude;
  }

  /** A value in a tooltip: four significant digits. */
  static String precise(double v) {
    return String.format(Locale.ROOT, "%.4g", v);
  }

  private static int legendRows(int entries) {
    return (entries + LEGEND_COLUMNS - 1) / LEGEND_COLUMNS;
  }

  private static void legendEntry(StringBuilder s, int i, int top, String color, String kind, String label) {
    double x = 64 + (i % LEGEND_COLUMNS) * ((WIDTH - 64.0) / LEGEND_COLUMNS);
    double y = top + 18 * (i / LEGEND_COLUMNS);
    switch (kind) {
      case "dot" -> s.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\" fill=\"%s\"/>",
          x + 9, y - 4, color));
      case "dash" -> s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
          + "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6 4\"/>", x, y - 4, x + 18, y - 4, color));
      default -> s.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
          + "stroke=\"%s\" stroke-width=\"2\"/>", x, y - 4, x + 18, y - 4, color));
    }
    s.append(text(x + 24, y, "start", label));
  }

  /** A scatter plot with equal scales on both axes, so distances in the plane look like distances. */
  static String scatter(String name, String xLabel, String yLabel, List<Point> points) {
    int size = 480;
    int margin = 36;
    double minX = Double.POSITIVE_INFINITY;
    double maxX = Double.NEGATIVE_INFINITY;
    double minY = Double.POSITIVE_INFINITY;
    double maxY = Double.NEGATIVE_INFINITY;
    for (Point p : points) {
      minX = Math.min(minX, p.x());
      maxX = Math.max(maxX, p.x());
      minY = Math.min(minY, p.y());
      maxY = Math.max(maxY, p.y());
    }
    double span = Math.max(Math.max(maxX - minX, maxY - minY), 1e-12);
    double cx = (minX + maxX) / 2;
    double cy = (minY + maxY) / 2;
    double plot = size - 2 * margin;
    StringBuilder s = new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"chart\" data-chart=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            + "width=\"%d\" height=\"%d\" role=\"img\">", name, size, size, size, size));
    s.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"%.0f\" height=\"%.0f\" fill=\"none\" "
        + "stroke=\"#ccc\"/>", margin, margin, plot, plot));
    for (Point p : points) {
      double x = margin + plot * (0.5 + (p.x() - cx) / span * 0.95);
      double y = margin + plot * (0.5 - (p.y() - cy) / span * 0.95);
      s.append(String.format(Locale.ROOT,
          "<circle class=\"mark\" cx=\"%.2f\" cy=\"%.2f\" r=\"4\" fill=\"%s\" fill-opacity=\"0.8\"><title>%s</title></circle>",
          x, y, p.color(), Html.escape(p.tooltip())));
    }
    s.append(text(size / 2.0, size - 10, "middle", xLabel));
    s.append(String.format(Locale.ROOT, "<text x=\"14\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 14 %d)\">"
        + "%s</text>", size / 2, size / 2, Html.escape(yLabel)));
    return s.append("</svg>").toString();
  }

  private static StringBuilder open(String name, int height) {
    return new StringBuilder(String.format(Locale.ROOT,
        "<svg class=\"chart\" data-chart=\"%s\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" "
            + "width=\"%d\" height=\"%d\" role=\"img\">", name, WIDTH, height, WIDTH, height));
  }

  /** An x axis from lo to hi along the bottom of a bar chart, with five ticks. */
  private static void axis(StringBuilder s, int height, double lo, double hi, String label) {
    double plot = WIDTH - LEFT - RIGHT;
    double y = height - BOTTOM + 4;
    s.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>",
        LEFT, y, LEFT + plot, y));
    for (int t = 0; t <= 4; t++) {
      double v = lo + (hi - lo) * t / 4;
      s.append(text(LEFT + plot * t / 4, y + 14, t == 4 ? "end" : "middle", compact(v)));
    }
    s.append(text(LEFT + plot / 2, height - 4, "middle", label));
  }

  /** A tick label: three significant digits with k, M or G. */
  static String compact(double v) {
    double a = Math.abs(v);
    if (a >= 1e9) {
      return String.format(Locale.ROOT, "%.3gG", v / 1e9);
    }
    if (a >= 1e6) {
      return String.format(Locale.ROOT, "%.3gM", v / 1e6);
    }
    if (a >= 1e4) {
      return String.format(Locale.ROOT, "%.3gk", v / 1e3);
    }
    if (v == Math.rint(v)) {
      return Long.toString((long) v);
    }
    if (a >= 100) {
      return String.format(Locale.ROOT, "%.0f", v);
    }
    return new java.math.BigDecimal(String.format(Locale.ROOT, "%.3g", v)).stripTrailingZeros().toPlainString();
  }

  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%,d", (long) v);
    }
    return Math.abs(v) >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
  }

  private static String text(double x, double y, String anchor, String content) {
    return String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>", x, y, anchor,
        Html.escape(content));
  }
}
