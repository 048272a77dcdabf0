package io.seqattn.core.attention;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The versioned binary form of a positioned {@link Summary}, as SQL functions pass it between rows:
 * which model made it, where in its sequence it starts, and the statistics. Little-endian:
 *
 * <pre>
 *   magic "SQAS" | version u8 = 1 | fingerprint: u8 length + UTF-8 | start i64 | tokens i64
 *   heads i32 | m i32 | d_head i32 | log_decay f64[heads] | log_scale f64[heads]
 *   s f64[heads·m·d_head] (row-major [head][m][d_head]) | z f64[heads·m]
 * </pre>
 *
 * A reader of version v reads every version ≤ v; {@code core/src/test/resources/summary/} keeps a
 * golden file per version.
 */
public final class SummaryCodec {
  public static final int VERSION = 1;
  private static final byte[] MAGIC = {'S', 'Q', 'A', 'S'};

  private SummaryCodec() {}

  /** A summary of tokens [start, start + summary.tokens()) of a sequence, made by model {@code fingerprint}. */
  public record Positioned(String fingerprint, long start, Summary summary) {}

  public static byte[] toBytes(Positioned p) {
    Summary s = p.summary();
    byte[] fp = p.fingerprint().getBytes(StandardCharsets.UTF_8);
    if (fp.length > 255) {
      throw new IllegalArgumentException("fingerprint longer than 255 bytes");
    }
    int size = 4 + 1 + 1 + fp.length + 8 + 8 + 12 + 8 * (2 * s.heads() + s.s().length + s.z().length);
    ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    out.put(MAGIC).put((byte) VERSION).put((byte) fp.length).put(fp);
    out.putLong(p.start()).putLong(s.tokens()).putInt(s.heads()).putInt(s.m()).putInt(s.dHead());
    for (double v : s.logDecay()) {
      out.putDouble(v);
    }
    for (double v : s.logScale()) {
      out.putDouble(v);
    }
    for (double v : s.s()) {
      out.putDouble(v);
    }
    for (double v : s.z()) {
      out.putDouble(v);
    }
    return out.array();
  }

  /** @throws IllegalArgumentException saying what is wrong with bytes that are not a summary */
  public static Positioned fromBytes(byte[] bytes) {
    if (bytes == null) {
      throw new IllegalArgumentException("summary is null");
    }
    ByteBuffer in = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      for (byte b : MAGIC) {
        if (in.get() != b) {
          throw new IllegalArgumentException("not a seqattn summary (bad magic; expected the output of "
              + "seqattn_summarize or seqattn_merge)");
        }
      }
      int version = in.get() & 0xff;
      if (version < 1 || version > VERSION) {
        throw new IllegalArgumentException("summary format version " + version + " is not supported (this seqattn "
            + "reads versions 1.." + VERSION + ")");
      }
      byte[] fp = new byte[in.get() & 0xff];
      in.get(fp);
      long start = in.getLong();
      long tokens = in.getLong();
      int heads = in.getInt();
      int m = in.getInt();
      int dHead = in.getInt();
      if (heads < 1 || m < 1 || dHead < 1 || (long) heads * m * (dHead + 1) + 2L * heads > in.remaining() / 8) {
        throw new IllegalArgumentException("summary shape [" + heads + "," + m + "," + dHead + "] does not fit its "
            + bytes.length + " bytes");
      }
      double[] logDecay = doubles(in, heads);
      double[] logScale = doubles(in, heads);
      double[] s = doubles(in, heads * m * dHead);
      double[] z = doubles(in, heads * m);
      if (in.hasRemaining()) {
        throw new IllegalArgumentException("summary has " + in.remaining() + " bytes past its end");
      }
      return new Positioned(new String(fp, StandardCharsets.UTF_8), start,
          new Summary(heads, m, dHead, tokens, logDecay, s, z, logScale));
    } catch (BufferUnderflowException e) {
      throw new IllegalArgumentException("truncated seqattn summary (" + bytes.length + " bytes)");
    }
  }

  private static double[] doubles(ByteBuffer in, int n) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      out[i] = in.getDouble();
    }
    return out;
  }
}
