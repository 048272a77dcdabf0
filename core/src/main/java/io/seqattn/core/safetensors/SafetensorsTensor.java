package io.seqattn.core.safetensors;

import java.util.Arrays;

/**
 * One tensor's entry in a safetensors header: its element type, shape (C order) and byte range
 * [begin, end) within the data section, which starts right after the header.
 */
public record SafetensorsTensor(String name, SafetensorsDtype dtype, int[] shape, long begin, long end) {
  public SafetensorsTensor {
    shape = shape.clone();
  }

  @Override
  public int[] shape() {
    return shape.clone();
  }

  /** The product of the shape (1 for a scalar). */
  public long elementCount() {
    long n = 1;
    for (int s : shape) {
      n *= s;
    }
    return n;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SafetensorsTensor t && name.equals(t.name) && dtype == t.dtype && Arrays.equals(shape, t.shape)
        && begin == t.begin && end == t.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + " " + dtype + " " + Arrays.toString(shape) + " [" + begin + ", " + end + ")";
  }
}
