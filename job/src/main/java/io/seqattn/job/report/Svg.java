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
    return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
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
