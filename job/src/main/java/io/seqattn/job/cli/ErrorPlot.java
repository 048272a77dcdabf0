package io.seqattn.job.cli;

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
 * The approximation study as a PNG: relative error against m on log-log axes, one line per map and
 * logit scale with ±1 std bars, the fixed-m maps as single points, and a dotted 1/√m guide through
 * the first favor+ point. Plain Java2D, headless.
 */
final class ErrorPlot {
  private static final int WIDTH = 900;
  private static final int HEIGHT = 600;
  private static final int LEFT = 90;
  private static final int RIGHT = 230;
  private static final int TOP = 50;
  private static final int BOTTOM = 70;
  private static final Color[] COLORS = {new Color(0x1f77b4), new Color(0xd62728), new Color(0x2ca02c),
      new Color(0x9467bd), new Color(0xff7f0e), new Color(0x8c564b), new Color(0xe377c2), new Color(0x17becf)};

  private ErrorPlot() {}

  static void write(Path file, String title, List<ApproxErrorCommand.Point> points) throws IOException {
    System.setProperty("java.awt.headless", "true");
    Map<String, List<ApproxErrorCommand.Point>> series = new LinkedHashMap<>();
    for (ApproxErrorCommand.Point p : points) {
      String key = p.map() + (p.qkScale() == 1 ? "" : String.format(Locale.ROOT, ", logits ×%.3g",
          p.qkScale() * p.qkScale()));
      series.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
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
    double x0 = Math.floor(log2(minM)) - 0.3;
    double x1 = Math.ceil(log2(maxM)) + 0.3;
    double y0 = Math.floor(Math.log10(minE));
    double y1 = Math.ceil(Math.log10(maxE));
    if (y1 <= y0) {
      y1 = y0 + 1;
    }

    BufferedImage img = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, WIDTH, HEIGHT);
    Axes axes = new Axes(x0, x1, y0, y1);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    for (int e = (int) y0; e <= (int) y1; e++) {
      int y = axes.y(e);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(LEFT, y, WIDTH - RIGHT, y);
      g.setColor(Color.DARK_GRAY);
      g.drawString("1e" + e, LEFT - 40, y + 4);
    }
    for (int e = (int) Math.ceil(x0); e <= (int) Math.floor(x1); e++) {
      int x = axes.x(e);
      g.setColor(new Color(0xe0e0e0));
      g.drawLine(x, TOP, x, HEIGHT - BOTTOM);
      g.setColor(Color.DARK_GRAY);
      String label = String.valueOf(1L << e);
      g.drawString(label, x - g.getFontMetrics().stringWidth(label) / 2, HEIGHT - BOTTOM + 18);
    }
    g.setColor(Color.BLACK);
    g.drawRect(LEFT, TOP, WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM);
    g.drawString("features per head m", (LEFT + WIDTH - RIGHT) / 2 - 55, HEIGHT - 25);
    g.rotate(-Math.PI / 2);
    g.drawString("relative error vs exact softmax", -(TOP + HEIGHT - BOTTOM) / 2 - 85, 25);
    g.rotate(Math.PI / 2);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
    g.drawString(title, LEFT, 30);

    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    int colour = 0;
    int legendY = TOP + 10;
    ApproxErrorCommand.Point anchor = null;
    for (Map.Entry<String, List<ApproxErrorCommand.Point>> s : series.entrySet()) {
      Color c = COLORS[colour++ % COLORS.length];
      g.setColor(c);
      g.setStroke(new BasicStroke(2f));
      int px = -1;
      int py = -1;
      for (ApproxErrorCommand.Point p : s.getValue()) {
        if (!(p.mean() > 0) || !Double.isFinite(p.mean())) {
          continue;
        }
        int x = axes.x(log2(p.m()));
        int y = axes.y(Math.log10(p.mean()));
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 4, y - 4, 8, 8);
        double lo = Math.max(p.mean() - p.std(), p.mean() / 10);
        g.setStroke(new BasicStroke(1f));
        g.drawLine(x, axes.y(Math.log10(lo)), x, axes.y(Math.log10(p.mean() + p.std())));
        g.setStroke(new BasicStroke(2f));
        px = x;
        py = y;
        if (anchor == null && p.map().name().equals("favor+")) {
          anchor = p;
        }
      }
      g.fillOval(WIDTH - RIGHT + 15, legendY - 5, 8, 8);
      g.setColor(Color.BLACK);
      g.drawString(s.getKey(), WIDTH - RIGHT + 30, legendY + 4);
      legendY += 20;
    }
    if (anchor != null) {
      g.setColor(Color.GRAY);
      g.setStroke(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f, new float[] {4f, 4f}, 0f));
      double logE0 = Math.log10(anchor.mean());
      double m0 = log2(anchor.m());
      g.drawLine(axes.x(m0), axes.y(logE0), axes.x(x1), axes.y(logE0 - 0.5 * (x1 - m0) * Math.log10(2)));
      g.drawLine(WIDTH - RIGHT + 12, legendY, WIDTH - RIGHT + 26, legendY);
      g.setColor(Color.BLACK);
      g.drawString("∝ 1/√m", WIDTH - RIGHT + 30, legendY + 4);
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static double log2(double v) {
    return Math.log(v) / Math.log(2);
  }

  /** Data (log₂ m, log₁₀ error) to pixels. */
  private record Axes(double x0, double x1, double y0, double y1) {
    int x(double log2m) {
      return (int) Math.round(LEFT + (log2m - x0) / (x1 - x0) * (WIDTH - LEFT - RIGHT));
    }

    int y(double log10e) {
      return (int) Math.round(HEIGHT - BOTTOM - (log10e - y0) / (y1 - y0) * (HEIGHT - TOP - BOTTOM));
    }
  }
}
