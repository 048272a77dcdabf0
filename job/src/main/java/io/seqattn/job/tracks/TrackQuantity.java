package io.seqattn.job.tracks;

import java.io.Serializable;
import java.util.Locale;

/**
 * The per-position value a track shows, computed from one position's output row (the {@code width}
 * = heads·d_head floats that {@code outputs/} stores per token). Chosen by name on the command line:
 * {@code channel:N} is column N of the output row (0-based, head-major as in {@code outputs/}) and
 * {@code norm} is the row's Euclidean norm √(Σ_f o_f²), accumulated in double. A NaN row (an absent
 * position under {@code --skip-n}) gives NaN, which the writer leaves out of the track.
 */
public sealed interface TrackQuantity extends Serializable {

  /** The value at one position, from {@code output[row·width … row·width + width)}. */
  float value(float[] output, int row, int width);

  /** The name as it is given on the command line, for messages and the track's description. */
  String spec();

  /**
   * Checks that this quantity exists for output rows of {@code width} floats.
   *
   * @throws IllegalArgumentException naming the quantity and the width when it does not
   */
  default void check(int width) {}

  /** Column {@code index} of the output row. */
  record Channel(int index) implements TrackQuantity {
    public Channel {
      if (index < 0) {
        throw new IllegalArgumentException("channel index must be >= 0, got " + index);
      }
    }

    @Override
    public float value(float[] output, int row, int width) {
      return output[row * width + index];
    }

    @Override
    public String spec() {
      return "channel:" + index;
    }

    @Override
    public void check(int width) {
      if (index >= width) {
        throw new IllegalArgumentException("--quantity " + spec() + " is out of range: the run's outputs have "
            + width + " channels (0.." + (width - 1) + ")");
      }
    }
  }

  /** The Euclidean norm of the output row. */
  record OutputNorm() implements TrackQuantity {
    @Override
    public float value(float[] output, int row, int width) {
      double sum = 0;
      int base = row * width;
      for (int f = 0; f < width; f++) {
        double o = output[base + f];
        sum += o * o;
      }
      return (float) Math.sqrt(sum);
    }

    @Override
    public String spec() {
      return "norm";
    }
  }

  /**
   * Parses {@code channel:N} or {@code norm} (case-insensitive).
   *
   * @throws IllegalArgumentException saying what is accepted
   */
  static TrackQuantity parse(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    if (t.equals("norm")) {
      return new OutputNorm();
    }
    if (t.startsWith("channel:")) {
      try {
        return new Channel(Integer.parseInt(t.substring("channel:".length()).strip()));
      } catch (NumberFormatException e) {
        // falls through to the message below
      }
    }
    throw new IllegalArgumentException("--quantity must be 'norm' or 'channel:N' (N a 0-based output column), got '"
        + text + "'");
  }
}
