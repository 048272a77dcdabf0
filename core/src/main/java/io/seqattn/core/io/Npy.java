package io.seqattn.core.io;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads and writes NumPy {@code .npy} files (format versions 1.0–3.0), restricted to what
 * seqattn models and exports need: little-endian float32/float64, C order. Anything else is
 * rejected with a message naming the file, so a model exported from PyTorch or NumPy either
 * loads exactly or fails loudly.
 */
public final class Npy {

  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  private Npy() {}

  public static NpyArray read(Path file) throws IOException {
    try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
      return read(in, file.toString());
    }
  }

  /** Reads one array from {@code in}; {@code name} is used in error messages. */
  public static NpyArray read(InputStream in, String name) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] magic = new byte[MAGIC.length];
    readFully(data, magic, name);
    if (!Arrays.equals(magic, MAGIC)) {
      throw new NpyFormatException(name + ": not a .npy file (bad magic bytes)");
    }
    int major = data.readUnsignedByte();
    data.readUnsignedByte();
    int headerLength;
    if (major == 1) {
      headerLength = Short.toUnsignedInt(Short.reverseBytes(data.readShort()));
    } else if (major == 2 || major == 3) {
      headerLength = Integer.reverseBytes(data.readInt());
    } else {
      throw new NpyFormatException(name + ": unsupported .npy format version " + major);
    }
    byte[] headerBytes = new byte[headerLength];
    readFully(data, headerBytes, name);
    String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);

    String descr = find(DESCR, header, "descr", name);
    if ("True".equals(find(FORTRAN, header, "fortran_order", name))) {
      throw new NpyFormatException(name + ": Fortran-ordered arrays are not supported; save with np.ascontiguousarray");
    }
    int[] shape = parseShape(find(SHAPE, header, "shape", name), name);
    long count = NpyArray.elementCount(shape);
    if (count > Integer.MAX_VALUE) {
      throw new NpyFormatException(name + ": array of " + count + " elements is too large");
    }
    int n = (int) count;
    switch (descr) {
      case "<f4" -> {
        float[] values = new float[n];
        ByteBuffer buf = readPayload(data, n * 4L, name);
        buf.asFloatBuffer().get(values);
        return NpyArray.ofFloats(values, shape);
      }
      case "<f8" -> {
        double[] values = new double[n];
        ByteBuffer buf = readPayload(data, n * 8L, name);
        buf.asDoubleBuffer().get(values);
        return NpyArray.ofDoubles(values, shape);
      }
      default -> throw new NpyFormatException(
          name + ": dtype '" + descr + "' is not supported (expected little-endian float32 '<f4' or float64 '<f8')");
    }
  }

  public static void write(Path file, NpyArray array) throws IOException {
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
      write(out, array);
    }
  }

  /** Writes a version 1.0 file whose header is padded so the data starts on a 64-byte boundary. */
  public static void write(OutputStream out, NpyArray array) throws IOException {
    int[] shape = array.shape();
    StringBuilder dims = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      dims.append(shape[i]).append(i == 0 && shape.length == 1 ? "," : i < shape.length - 1 ? ", " : "");
    }
    String dict = "{'descr': '" + array.dtype() + "', 'fortran_order': False, 'shape': (" + dims + "), }";
    int unpadded = MAGIC.length + 2 + 2 + dict.length() + 1;
    int padding = (64 - unpadded % 64) % 64;
    String header = dict + " ".repeat(padding) + "\n";

    out.write(MAGIC);
    out.write(1);
    out.write(0);
    out.write(header.length() & 0xff);
    out.write((header.length() >>> 8) & 0xff);
    out.write(header.getBytes(StandardCharsets.ISO_8859_1));
    ByteBuffer buf;
    if (array.isDouble()) {
      double[] values = array.doubles();
      buf = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
      buf.asDoubleBuffer().put(values);
    } else {
      float[] values = array.floats();
      buf = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(values);
    }
    out.write(buf.array());
  }

  private static ByteBuffer readPayload(DataInputStream in, long bytes, String name) throws IOException {
    byte[] payload = new byte[Math.toIntExact(bytes)];
    readFully(in, payload, name);
    if (in.read() != -1) {
      throw new NpyFormatException(name + ": trailing bytes after the array data");
    }
    return ByteBuffer.wrap(payload).order(ByteOrder.LITTLE_ENDIAN);
  }

  private static void readFully(DataInputStream in, byte[] into, String name) throws IOException {
    try {
      in.readFully(into);
    } catch (EOFException e) {
      throw new NpyFormatException(name + ": file is truncated");
    }
  }

  private static String find(Pattern pattern, String header, String key, String name) {
    Matcher m = pattern.matcher(header);
    if (!m.find()) {
      throw new NpyFormatException(name + ": header has no readable '" + key + "' entry: " + header.strip());
    }
    return m.group(1);
  }

  private static int[] parseShape(String text, String name) {
    String[] parts = text.split(",");
    return Arrays.stream(parts)
        .map(String::strip)
        .filter(s -> !s.isEmpty())
        .mapToInt(s -> {
          try {
            return Integer.parseInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s);
          } catch (NumberFormatException e) {
            throw new NpyFormatException(name + ": bad shape entry '" + s + "'");
          }
        })
        .toArray();
  }
}
