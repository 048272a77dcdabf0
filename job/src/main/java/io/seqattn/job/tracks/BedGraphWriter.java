package io.seqattn.job.tracks;

import java.io.Closeable;
import java.io.IOException;
import java.io.Writer;

/**
 * Writes bedGraph lines {@code chrom<TAB>start<TAB>end<TAB>value} (0-based, half-open, as UCSC
 * defines the format), streaming: it holds one pending interval, never a chromosome. Adjacent
 * intervals of one chromosome with bitwise the same value are merged into one line, so a flat
 * stretch costs one line; a NaN value is a gap (no line). Callers give intervals sorted as
 * {@code bedGraphToBigWig} requires — by chromosome, then by start, not overlapping — and the writer
 * refuses anything else, since a browser would reject the file later and far from the cause. Values
 * are printed with {@link Float#toString}, which reads back to the same float.
 */
public final class BedGraphWriter implements Closeable {
  private final Writer out;
  /** The chromosome and end of the last interval added (written, pending or a NaN gap). */
  private String chrom;
  private long start;
  private long end;
  private float value;
  private boolean pending;
  private long lines;

  public BedGraphWriter(Writer out) {
    this.out = out;
  }

  /**
   * Adds the interval [start, end) of {@code chrom} with {@code value}.
   *
   * @throws IllegalArgumentException when the interval is empty, or overlaps or precedes the last one
   *     of the same chromosome
   */
  public void add(String chrom, long start, long end, float value) throws IOException {
    if (end <= start || start < 0) {
      throw new IllegalArgumentException("empty or negative interval " + chrom + ":" + start + "-" + end);
    }
    boolean sameChrom = chrom.equals(this.chrom);
    if (sameChrom && start < this.end) {
      throw new IllegalArgumentException("interval " + chrom + ":" + start + "-" + end + " overlaps or precedes "
          + this.chrom + ":" + this.start + "-" + this.end);
    }
    if (Float.isNaN(value)) {
      flush();
      this.chrom = chrom;
      this.end = end;
      return;
    }
    if (pending && sameChrom && start == this.end && Float.floatToIntBits(value) == Float.floatToIntBits(this.value)) {
      this.end = end;
      return;
    }
    flush();
    this.chrom = chrom;
    this.start = start;
    this.end = end;
    this.value = value;
    pending = true;
  }

  /** Lines written so far (the pending interval is written on {@link #close}). */
  public long lines() {
    return lines;
  }

  private void flush() throws IOException {
    if (pending) {
      out.write(chrom);
      out.write('\t');
      out.write(Long.toString(start));
      out.write('\t');
      out.write(Long.toString(end));
      out.write('\t');
      out.write(Float.toString(value));
      out.write('\n');
      lines++;
      pending = false;
    }
  }

  /** Writes the pending interval and closes the underlying writer. */
  @Override
  public void close() throws IOException {
    flush();
    out.close();
  }
}
