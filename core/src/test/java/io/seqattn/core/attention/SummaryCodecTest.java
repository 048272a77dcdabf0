package io.seqattn.core.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * The summary byte format: the layout written out by hand from its specification, a golden file per
 * version (core/src/test/resources/summary/v1.bin, the bytes of {@link #example()}) that must stay
 * readable, a round trip, and clear errors for bytes that are not a summary.
 */
class SummaryCodecTest {

  /** heads 2, m 2, d_head 1, with every field distinct, including a −∞ log-scale. */
  static SummaryCodec.Positioned example() {
    return new SummaryCodec.Positioned("00ff00ff00ff00ff", 4096, new Summary(2, 2, 1, 77,
        new double[] {-0.5, 0.0}, new double[] {1.5, -2.5, 3.5, 4.5}, new double[] {5.5, 6.5, 7.5, 8.5},
        new double[] {12.25, Double.NEGATIVE_INFINITY}));
  }

  @Test
  void layoutIsTheDocumentedOne() {
    ByteBuffer expected = ByteBuffer.allocate(4 + 1 + 1 + 16 + 8 + 8 + 12 + 8 * (2 + 2 + 4 + 4))
        .order(ByteOrder.LITTLE_ENDIAN);
    expected.put("SQAS".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 16)
        .put("00ff00ff00ff00ff".getBytes(StandardCharsets.US_ASCII)).putLong(4096).putLong(77)
        .putInt(2).putInt(2).putInt(1);
    for (double v : new double[] {-0.5, 0.0, 12.25, Double.NEGATIVE_INFINITY, 1.5, -2.5, 3.5, 4.5, 5.5, 6.5, 7.5,
        8.5}) {
      expected.putDouble(v);
    }
    assertArrayEquals(expected.array(), SummaryCodec.toBytes(example()));
  }

  @Test
  void version1GoldenFileStaysReadable() throws Exception {
    byte[] golden;
    try (InputStream in = getClass().getResourceAsStream("/summary/v1.bin")) {
      golden = in.readAllBytes();
    }
    assertEquals(example(), SummaryCodec.fromBytes(golden));
  }

  @Test
  void badBytesAreExplained() {
    byte[] good = SummaryCodec.toBytes(example());
    assertMessage(() -> SummaryCodec.fromBytes(new byte[] {1, 2, 3, 4, 5}), "not a seqattn summary");
    byte[] future = good.clone();
    future[4] = 9;
    assertMessage(() -> SummaryCodec.fromBytes(future), "summary format version 9 is not supported");
    assertMessage(() -> SummaryCodec.fromBytes(java.util.Arrays.copyOf(good, good.length - 3)), "does not fit");
    assertMessage(() -> SummaryCodec.fromBytes(java.util.Arrays.copyOf(good, good.length + 8)), "past its end");
    assertMessage(() -> SummaryCodec.fromBytes(null), "summary is null");
  }

  private static void assertMessage(org.junit.jupiter.api.function.Executable call, String part) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }
}
