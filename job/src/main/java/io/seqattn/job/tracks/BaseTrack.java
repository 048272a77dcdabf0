package io.seqattn.job.tracks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Turns per-token values of DNA k-mer runs into base coordinates for a {@link BedGraphWriter}.
 * Token p of a sequence read with k-mer length k and stride s starts at base p·s, and its value
 * covers the bases up to the next token's start: [p·s, min(p·s + s, L)) for a sequence of L bases
 * (with stride 1, exactly the k-mer's first base). Bases after the last token's start + s have no
 * token that starts there and are left out, as are positions whose value is NaN.
 *
 * <p>Pieces arrive as consecutive runs of tokens, sorted by sequence (bytewise on UTF-8, the order
 * of {@code LC_COLLATE=C sort} that {@code bedGraphToBigWig} requires) and by position; anything
 * else — a gap, an overlap, a sequence that does not start at token 0, a sequence seen twice, a
 * size too short for the tokens — is refused with a message, because it means the run's outputs and
 * the sizes describe different data.
 */
public final class BaseTrack {
  private final BedGraphWriter out;
  private final int k;
  private final int stride;
  private final ChromSizes sizes;
  private String seqId;
  private byte[] seqIdBytes;
  private long size;
  private long nextToken;
  private long sequences;
  private long positions;
  private long gaps;

  public BaseTrack(BedGraphWriter out, int k, int stride, ChromSizes sizes) {
    if (k < 1 || stride < 1) {
      throw new IllegalArgumentException("k and stride must be >= 1, got k=" + k + " stride=" + stride);
    }
    this.out = out;
    this.k = k;
    this.stride = stride;
    this.sizes = sizes;
  }

  /**
   * Adds the values of tokens [firstToken, firstToken + values.length) of {@code id}.
   *
   * @throws TrackException when the piece does not continue the track as described above
   */
  public void add(String id, long firstToken, float[] values) throws IOException {
    if (!id.equals(seqId)) {
      begin(id);
    }
    if (firstToken != nextToken) {
      throw new TrackException("outputs/ of '" + id + "' " + (nextToken == 0
          ? "begin at token " + firstToken + ", not 0 (a run continued with --continue-from has no base coordinates "
              + "of its own)"
          : (firstToken < nextToken ? "overlap" : "have a gap") + " at token " + Math.min(firstToken, nextToken)
              + " (a damaged run directory?)"));
    }
    long last = firstToken + values.length - 1;
    if (values.length > 0 && last * stride + k > size) {
      throw new TrackException("'" + id + "' has a token at base " + last * stride + " (k=" + k + ") but is " + size
          + " bases long in " + sizes.origin(id) + " (sizes of another assembly, or of another file?)");
    }
    for (int i = 0; i < values.length; i++) {
      long base = (firstToken + i) * stride;
      if (Float.isNaN(values[i])) {
        gaps++;
      } else {
        positions++;
      }
      out.add(id, base, Math.min(base + stride, size), values[i]);
    }
    nextToken = firstToken + values.length;
  }

  private void begin(String id) throws TrackException {
    if (id.isEmpty() || id.chars().anyMatch(c -> c <= ' ')) {
      throw new TrackException("sequence id '" + id + "' cannot be a bedGraph chromosome name (it holds white space "
          + "or is empty)");
    }
    byte[] bytes = id.getBytes(StandardCharsets.UTF_8);
    if (seqIdBytes != null && Arrays.compareUnsigned(bytes, seqIdBytes) <= 0) {
      throw new TrackException("sequence '" + id + "' arrives after '" + seqId + "': outputs are not sorted by id "
          + "(an internal error)");
    }
    long l = sizes.size(id);
    if (l < 0) {
      throw new TrackException("no length for sequence '" + id + "' (give --chrom-sizes FILE, a .fai or UCSC "
          + "chrom.sizes file, or index the input with 'seqattn index' so its .fai lies beside it)");
    }
    seqId = id;
    seqIdBytes = bytes;
    size = l;
    nextToken = 0;
    sequences++;
  }

  /** Sequences begun so far. */
  public long sequences() {
    return sequences;
  }

  /** Positions with a value written so far. */
  public long positions() {
    return positions;
  }

  /** Positions left out because their value was NaN (absent positions under --skip-n). */
  public long gaps() {
    return gaps;
  }
}
