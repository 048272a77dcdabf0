package io.seqattn.core.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Builds safetensors files byte by byte for tests: a header text exactly as given (so malformed
 * headers can be written too), its length, and a data section. Independent of the reader.
 */
final class SafetensorsBytes {
  private SafetensorsBytes() {}

  /** 8-byte little-endian {@code headerLength}, the header's UTF-8 bytes, then {@code data}. */
  static byte[] file(long headerLength, byte[] header, byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(headerLength);
    out.writeBytes(length.array());
    out.writeBytes(header);
    out.writeBytes(data);
    return out.toByteArray();
  }

  /** A well-formed file: the header's true length. */
  static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return file(h.length, h, data);
  }

  static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** float32 values, little-endian. */
  static byte[] f32(float... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      buf.putFloat(v);
    }
    return buf.array();
  }

  /** float64 values, little-endian. */
  static byte[] f64(double... values) {
    ByteBuffer buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      buf.putDouble(v);
    }
    return buf.array();
  }

  /** 16-bit patterns, little-endian. */
  static byte[] u16(int... bits) {
    ByteBuffer buf = ByteBuffer.allocate(bits.length * 2).order(ByteOrder.LITTLE_ENDIAN);
    for (int b : bits) {
      buf.putShort((short) b);
    }
    return buf.array();
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
