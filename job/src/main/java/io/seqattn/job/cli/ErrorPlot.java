package io.seqattn.job.cli;

import io.seqattn.job.report.Palette;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;

/**
 * The approximation study as a PNG of small multiples: one panel per logit scale, on shared log-log
 * axes (relative error against m), one line per feature map with ±1 std bars, the fixed-m maps as
 * single points, and a dotted 1/√m guide through each panel's first favor+ point. A map has the same
 * colour in every panel and no two maps share one. Plain Java2D, headless.
 */
final class ErrorPlot {
  static final int PANEL_WIDTH = 380;
  static final int PANEL_HEIGHT = 300;
  static final int COLUMNS = 3;
  static final int LEFT = 70;
  static final int TOP = 80;
  static final int GAP = 50;
  private static final int BOTTOM = 60;

  private ErrorPlot() {}

  /** Where panel {@code i}'s plot area starts (its top-left pixel), for tests. */
  static int[] panelOrigin(int i) {
    return new int[] {LEFT + (i % COLUMNS) * (PANEL_WIDTH + GAP), TOP + (i / COLUMNS) * (PANEL_HEIGHT + GAP + 20)};
  }

  static void write(Path file, String title, List<ApproxErrorCommand.Point> points) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<Double, List<ApproxErrorCommand.Point>> panels = new LinkedHashMap<>();
    Map<String, Color> colors = new LinkedHashMap<>();
    for (ApproxErrorCommand.Point p : points) {
      panels.computeIfAbsent(p.qkScale(), k -> new ArrayList<>()).add(p);
      if (!colors.containsKey(p.map().name())) {
        if (colors.size() == Palette.LINES) {
          throw new IllegalArgumentException("more than " + Palette.LINES + " feature maps to plot");
        }
        colors.put(p.map().name(), Palette.awt(colors.size()));
      }
    }
    double minM = points.stream().mapToDouble(ApproxErrorCommand.Point::m).min().orElse(1);
    double maxM = points.stream().mapToDouble(ApproxErrorCommand.Point::m).max().orElse(2);
    double minE = Double.POSITIVE_INFINITY;
    double maxE = 0;
    for (ApproxErrorCommand.Point p : points) {
      if (Double.isFinite(p.mean()) && p.mean() > 0) {
        minE = Math.min(minE, Math.max(p.mean() - p.std(), p.mean() / 3));
        maxE = Math.max(maxE, p.mean() + p.std());
      }
    }
    if (!(maxE > 0)) {
      minE = 1e-3;
      maxE = 1;
    }
    double y0 = Math.floor(Math.log10(minE));
    double y1 = Math.ceil(Math.log10(maxE));
    Axes axes = new Axes(Math.floor(log2(minM)) - 0.3, Math.ceil(log2(maxM)) + 0.3, y0, y1 <= y0 ? y0 + 1 : y1);

    int columns = Math.min(COLUMNS, panels.size());
    int rows = (panels.size() + COLUMNS - 1) / COLUMNS;
    int width = Math.max(600, LEFT + columns * (PANEL_WIDTH + GAP) + 10);
    int height = TOP + rows * (PANEL_HEIGHT + GAP + 20) + BOTTOM - GAP;
    BufferedImage img = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, width, height);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, 24);
    legend(g, colors, 50);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawString("features per head m (one panel per logit scale)", LEFT, height - 16);
    g.rotate(-Math.PI / 2);
    g.drawString("relative error vs exact softmax", -(TOP + PANEL_HEIGHT / 2) - 85, 18);
    g.rotate(Math.PI / 2);

    int i = 0;
    for (Map.Entry<Double, List<ApproxErrorCommand.Point>> panel : panels.entrySet()) {
      int[] origin = panelOrigin(i++);
      ApproxErrorCommand.Point first = panel.getValue().get(0);
      String label = panel.getKey() == 1 ? "logits as the model makes them" : String.format(Locale.ROOT,
          "logits ×%.3g", panel.getKey() * panel.getKey());
      g.setColor(Color.BLACK);
      g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
      g.drawString(label + String.format(Locale.ROOT, " (rms %.3g)", first.rmsLogit()), origin[0], origin[1] - 6);
      drawPanel(g, axes, origin[0], origin[1], panel.getValue(), colors);
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static void legend(Graphics2D g, Map<String, Color> colors, int y) {
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int x = LEFT;
    for (Map.Entry<String, Color> c : colors.entrySet()) {
      g.setColor(c.getValue());
      g.fillOval(x, y - 8, 9, 9);
      g.setColor(Color.BLACK);
      g.drawString(c.getKey(), x + 14, y);
      x += 24 + g.getFontMetrics().stringWidth(c.getKey());
    }
    g.setColor(Color.GRAY);
    g.setStroke(dotted());
    g.drawLine(x, y - 4, x + 16, y - 4);
    g.setColor(Color.BLACK);
    g.drawString("∝ 1/√m", x + 20, y);
  }

  private static void drawPanel(Graphics2D g, Axes axes, int left, int top, List<ApproxErrorCommand.Point> points,
      Map<String, Color> colors) {
    g.setStroke(new BasicStroke(1f));
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    for (int e = (int) axes.y0(); e <= (int) axes.y1(); e++) {
      int y = top + axes.y(e);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(left, y, left + PANEL_WIDTH, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString("1e" + e, left - 34, y + 4);
    }
    for (int e = (int) Math.ceil(axes.x0()); e <= (int) Math.floor(axes.x1()); e++) {
      int x = left + axes.x(e);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(x, top, x, top + PANEL_HEIGHT);
      g.setColor(Color.DARK_GRAY);
      String label = String.valueOf(1L << e);
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, top + PANEL_HEIGHT + 14);
    }
    g.setColor(Color.BLACK);
    g.drawRect(left, top, PANEL_WIDTH, PANEL_HEIGHT);

    Map<String, List<ApproxErrorCommand.Point>> series = new LinkedHashMap<>();
    points.forEach(p -> series.computeIfAbsent(p.map().name(), k -> new ArrayList<>()).add(p));
    ApproxErrorCommand.Point anchor = null;
    for (Map.Entry<String, List<ApproxErrorCommand.Point>> s : series.entrySet()) {
      g.setColor(colors.get(s.getKey()));
      int px = -1;
      int py = -1;
      for (ApproxErrorCommand.Point p : s.getValue()) {
        if (!(p.mean() > 0) || !Double.isFinite(p.mean())) {
          continue;
        }
        int x = left + axes.x(log2(p.m()));
        int y = top + axes.y(Math.log10(p.mean()));
        g.setStroke(new BasicStroke(2f));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 4, y - 4, 8, 8);
        double lo = Math.max(p.mean() - p.std(), p.mean() / 10);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x, top + axes.y(Math.log10(lo)), x, top + axes.y(Math.log10(p.mean() + p.std())));
        px = x;
        py = y;
        if (anchor == null && p.map().name().equals("favor+")) {
          anchor = p;
        }
      }
    }
    if (anchor != null) {
      g.setColor(Color.GRAY);
      g.setStroke(dotted());
      double logE0 = Math.log10(anchor.mean());
      double m0 = log2(anchor.m());
      g.drawLine(left + axes.x(m0), top + axes.y(logE0), left + axes.x(axes.x1()),
          top + axes.y(logE0 - 0.5 * (axes.x1() - m0) * Math.log10(2)));
    }
  }

  private static BasicStroke dotted() {
    return new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f);
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }

  /** Data (log₂ m, log₁₀ error) to pixels within a panel. */
  private record Axes(double x0, double x1, double y0, double y1) {
    int x(double log2m) {
      return (int) Math.round((log2m - x0) / (x1 - x0) * PANEL_WIDTH);
    }

    int y(double log10e) {
      return (int) Math.round(PANEL_HEIGHT - (log10e - y0) / (y1 - y0) * PANEL_HEIGHT);
    }
  }
}
