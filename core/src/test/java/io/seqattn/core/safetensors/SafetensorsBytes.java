package io.seqattn.core.safetensors;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Builds safetensors files byte by byte for tests: a header text exactly as given (so malformed
 * headers can be written too), its length, and a data section. Independent of the reader.
 */
public final class SafetensorsBytes {
  private SafetensorsBytes() {}

  /** A tensor to write: its name, shape and float32 values, row-major. */
  public record Tensor(String name, int[] shape, float[] values) {}

  /** A well-formed F32 file of {@code tensors}, in order, without gaps. */
  public static byte[] f32File(List<Tensor> tensors) {
    StringBuilder header = new StringBuilder("{");
    ByteArrayOutputStream data = new ByteArrayOutputStream();
    for (Tensor t : tensors) {
      byte[] bytes = f32(t.values());
      header.append(header.length() > 1 ? "," : "").append('"').append(t.name()).append("\":{\"dtype\":\"F32\",")
          .append("\"shape\":").append(Arrays.toString(t.shape()).replace(" ", "")).append(",\"data_offsets\":[")
          .append(data.size()).append(',').append(data.size() + bytes.length).append("]}");
      data.writeBytes(bytes);
    }
    return file(header.append('}').toString(), data.toByteArray());
  }

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
  public static byte[] file(String header, byte[] data) {
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    return file(h.length, h, data);
  }

  public static Path write(Path dir, String name, byte[] bytes) throws IOException {
    Path file = dir.resolve(name);
    Files.write(file, bytes);
    return file;
  }

  /** float32 values, little-endian. */
  public static byte[] f32(float... values) {
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
