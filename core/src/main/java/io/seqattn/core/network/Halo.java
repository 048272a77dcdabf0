package io.seqattn.core.network;

import java.io.Serializable;
import java.util.Arrays;

/**
 * The rows of a block's input just before a chunk, which a layer with a local reach (a short
 * convolution) reads beside the chunk's own: at most {@link Network#haloRows} rows of the previous
 * chunk's input to that block, as float32 bytes ({@link LayeredKernel}'s layout), with their
 * tokens (so absent positions stay absent). A sequence's first chunk has none ({@link #NONE}).
 * Plain bytes, so it crosses Spark tasks by one bulk copy.
 *
 * @param rows [h, d] float32, row-major, native order; the last row is the position just before the chunk
 * @param tokens the h tokens of those positions
 */
public record Halo(byte[] rows, int[] tokens) implements Serializable {
  /** Nothing before the chunk: a sequence's start. */
  public static final Halo NONE = new Halo(new byte[0], new int[0]);

  public Halo {
    if (tokens.length == 0 ? rows.length != 0 : rows.length % ((long) tokens.length * Float.BYTES) != 0) {
      throw new IllegalArgumentException("a halo of " + tokens.length + " rows cannot hold " + rows.length + " bytes");
    }
  }

  /**
   * The last {@code count} rows of a chunk's block input (fewer when the chunk is shorter): the
   * halo of the chunk after it.
   */
  public static Halo tailOf(byte[] input, int[] tokens, int count) {
    int n = tokens.length;
    int h = Math.min(count, n);
    if (h == 0) {
      return NONE;
    }
    int rowBytes = input.length / n;
    return new Halo(Arrays.copyOfRange(input, (n - h) * rowBytes, input.length), Arrays.copyOfRange(tokens, n - h, n));
  }

  /** The number of rows. */
  public int size() {
    return tokens.length;
  }
}
