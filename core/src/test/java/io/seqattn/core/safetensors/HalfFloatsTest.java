package io.seqattn.core.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * F16 and BF16 widen to float32 exactly, so every expected value here is compared bit for bit
 * (no tolerance): the values are the IEEE 754 binary16 and bfloat16 tables' own, written as exact
 * binary literals.
 */
class HalfFloatsTest {
  private static void assertBits(float expected, float actual, String what) {
    assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual), what + ": expected " + expected
        + ", got " + actual);
  }

  @Test
  void f16NormalNumbers() {
    assertBits(1.0f, HalfFloats.f16ToFloat(0x3c00), "1");
    assertBits(-2.0f, HalfFloats.f16ToFloat(0xc000), "-2");
    assertBits(0.5f, HalfFloats.f16ToFloat(0x3800), "0.5");
    assertBits(65504.0f, HalfFloats.f16ToFloat(0x7bff), "largest normal");
    assertBits(0x1p-14f, HalfFloats.f16ToFloat(0x0400), "smallest normal");
    assertBits(1.0f + 0x1p-10f, HalfFloats.f16ToFloat(0x3c01), "1 + ulp");
    assertBits(0.333251953125f, HalfFloats.f16ToFloat(0x3555), "nearest to 1/3");
  }

  @Test
  void f16ZerosAndSubnormals() {
    assertBits(0.0f, HalfFloats.f16ToFloat(0x0000), "+0");
    assertBits(-0.0f, HalfFloats.f16ToFloat(0x8000), "-0");
    assertBits(0x1p-24f, HalfFloats.f16ToFloat(0x0001), "smallest subnormal");
    assertBits(-0x1p-24f, HalfFloats.f16ToFloat(0x8001), "negative smallest subnormal");
    assertBits(0x3ffp-24f, HalfFloats.f16ToFloat(0x03ff), "largest subnormal");
    assertBits(0x200p-24f, HalfFloats.f16ToFloat(0x0200), "half the smallest normal");
  }

  @Test
  void f16InfinitiesAndNan() {
    assertBits(Float.POSITIVE_INFINITY, HalfFloats.f16ToFloat(0x7c00), "+inf");
    assertBits(Float.NEGATIVE_INFINITY, HalfFloats.f16ToFloat(0xfc00), "-inf");
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(0x7e00)), "quiet NaN");
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(0x7c01)), "signalling NaN (payload 1)");
    assertTrue(Float.isNaN(HalfFloats.f16ToFloat(0xfe00)), "negative NaN");
  }

  @Test
  void f16EveryPatternRoundTripsThroughFloat() {
    for (int bits = 0; bits < 0x10000; bits++) {
      float f = HalfFloats.f16ToFloat(bits);
      if (Float.isNaN(f)) {
        continue;
      }
      assertEquals(bits, halfOf(f), "pattern " + Integer.toHexString(bits));
    }
  }

  /** binary16 bits of a float that is exactly representable in binary16 (test oracle, by arithmetic). */
  private static int halfOf(float f) {
    int sign = Float.floatToRawIntBits(f) >>> 31 << 15;
    double a = Math.abs((double) f);
    if (a == Double.POSITIVE_INFINITY) {
      return sign | 0x7c00;
    }
    if (a < 0x1p-14) {
      return sign | (int) (a / 0x1p-24);
    }
    int e = Math.getExponent(a);
    int fraction = (int) ((a / Math.scalb(1.0, e) - 1) * 1024);
    return sign | (e + 15) << 10 | fraction;
  }

  @Test
  void bf16() {
    assertBits(1.0f, HalfFloats.bf16ToFloat(0x3f80), "1");
    assertBits(-2.0f, HalfFloats.bf16ToFloat(0xc000), "-2");
    assertBits(1.0078125f, HalfFloats.bf16ToFloat(0x3f81), "1 + ulp");
    assertBits(0x1p-126f, HalfFloats.bf16ToFloat(0x0080), "smallest normal");
    assertBits(0x1p-133f, HalfFloats.bf16ToFloat(0x0001), "smallest subnormal");
    assertBits(-0.0f, HalfFloats.bf16ToFloat(0x8000), "-0");
    assertBits(Float.POSITIVE_INFINITY, HalfFloats.bf16ToFloat(0x7f80), "+inf");
    assertBits(Float.NEGATIVE_INFINITY, HalfFloats.bf16ToFloat(0xff80), "-inf");
    assertTrue(Float.isNaN(HalfFloats.bf16ToFloat(0x7fc0)), "NaN");
    assertBits(0x1.fep127f, HalfFloats.bf16ToFloat(0x7f7f), "largest finite");
  }
}
