package io.seqattn.core.safetensors;

/**
 * Exact widening of the two 16-bit float formats to float32. Both are subsets of float32, so the
 * conversion never rounds:
 *
 * <ul>
 *   <li>IEEE 754 binary16 (F16): 1 sign bit, 5 exponent bits (bias 15), 10 fraction bits. Normal
 *       numbers rebias the exponent to 127; subnormals (exponent 0) are fraction·2^−24; exponent 31
 *       is ±∞ (fraction 0) or NaN, whose payload is kept in the top fraction bits.
 *   <li>bfloat16 (BF16): the top 16 bits of a float32, so the value is those bits followed by 16 zeros.
 * </ul>
 */
public final class HalfFloats {
  private HalfFloats() {}

  /** The binary16 value whose bits are the low 16 bits of {@code bits}. */
  public static float f16ToFloat(int bits) {
    int sign = (bits & 0x8000) << 16;
    int exponent = (bits >>> 10) & 0x1f;
    int fraction = bits & 0x3ff;
    if (exponent == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | fraction << 13);
    }
    if (exponent == 0) {
      float magnitude = fraction * 0x1p-24f; // exact: fraction < 2^10
      return sign == 0 ? magnitude : -magnitude;
    }
    return Float.intBitsToFloat(sign | (exponent + 127 - 15) << 23 | fraction << 13);
  }

  /** The bfloat16 value whose bits are the low 16 bits of {@code bits}. */
  public static float bf16ToFloat(int bits) {
    return Float.intBitsToFloat((bits & 0xffff) << 16);
  }
}
