package io.seqattn.job.report;

import java.awt.Color;

/**
 * The categorical colours of every seqattn chart (report.html and the approximation-error plot): the
 * Okabe–Ito palette, which people with any common colour-vision deficiency tell apart (Okabe and Ito,
 * 2008). In the order series take them; yellow comes last because it is faint on white, and
 * {@link #LINES} leaves it out of line charts.
 */
public final class Palette {
  public static final String BLUE = "#0072B2";
  public static final String VERMILLION = "#D55E00";
  public static final String GREEN = "#009E73";
  public static final String PURPLE = "#CC79A7";
  public static final String ORANGE = "#E69F00";
  public static final String SKY = "#56B4E9";
  public static final String BLACK = "#000000";
  public static final String YELLOW = "#F0E442";
  /** Values beyond the palette's end (the report's "other" points). */
  public static final String GREY = "#999999";

  private static final String[] SERIES = {BLUE, VERMILLION, GREEN, PURPLE, ORANGE, SKY, BLACK, YELLOW};
  /** How many of the series colours are used for lines: all but yellow. */
  public static final int LINES = SERIES.length - 1;

  private Palette() {}

  /** How many series colours there are. */
  public static int size() {
    return SERIES.length;
  }

  /** Series {@code i}'s colour as {@code #rrggbb}, for {@code 0 ≤ i < size()}. */
  public static String hex(int i) {
    return SERIES[i];
  }

  /** Series {@code i}'s colour for Java2D. */
  public static Color awt(int i) {
    return Color.decode(SERIES[i]);
  }
}
