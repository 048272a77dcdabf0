package io.seqattn.core.safetensors;

import static io.seqattn.core.safetensors.SafetensorsBytes.concat;
import static io.seqattn.core.safetensors.SafetensorsBytes.f32;
import static io.seqattn.core.safetensors.SafetensorsBytes.f64;
import static io.seqattn.core.safetensors.SafetensorsBytes.file;
import static io.seqattn.core.safetensors.SafetensorsBytes.u16;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written byte by byte ({@link SafetensorsBytes}): well-formed ones read back exactly, in
 * every supported dtype; each kind of malformed one is refused when opened, naming the file and the
 * tensor at fault. Values are compared bit for bit: the conversions are exact (F64 rounds to
 * nearest, and the values chosen are float32 values).
 */
class SafetensorsFileTest {
  @TempDir Path tmp;

  private Path write(String name, byte[] bytes) throws IOException {
    return SafetensorsBytes.write(tmp, name, bytes);
  }

  @Test
  void readsEveryDtypeAndTheMetadata() throws IOException {
    String header = "{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]},"
        + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[24,30]},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[30,34]},"
        + "\"d\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[34,42]},"
        + "\"empty\":{\"dtype\":\"F32\",\"shape\":[0,4],\"data_offsets\":[42,42]}}    ";
    byte[] data = concat(f32(1, -2, 3.5f, 0, 1e-30f, 7), u16(0x3c00, 0x0001, 0xfc00), u16(0x3f81, 0xc000),
        f64(0.1f));
    Path p = write("good.safetensors", file(header, data));
    try (SafetensorsFile f = SafetensorsFile.open(p)) {
      assertEquals(List.of("a", "h", "b", "d", "empty"), List.copyOf(f.tensors().keySet()));
      assertEquals(Map.of("format", "pt"), f.metadata());
      assertArrayEquals(new int[] {2, 3}, f.tensors().get("a").shape());
      assertEquals(SafetensorsDtype.F16, f.tensors().get("h").dtype());
      assertArrayEquals(new float[] {1, -2, 3.5f, 0, 1e-30f, 7}, f.floats("a"));
      assertArrayEquals(new float[] {1, 0x1p-24f, Float.NEGATIVE_INFINITY}, f.floats("h"));
      assertArrayEquals(new float[] {1.0078125f, -2}, f.floats("b"));
      assertArrayEquals(new float[] {0.1f}, f.floats("d"));
      assertEquals(0, f.floats("empty").length);
      assertThrows(IllegalArgumentException.class, () -> f.floats("nope"));
    }
  }

  @Test
  void readsAFileWithTensorsOutOfHeaderOrder() throws IOException {
    String header = "{\"late\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]},"
        + "\"early\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    try (SafetensorsFile f = SafetensorsFile.open(write("order.safetensors", file(header, f32(1, 2))))) {
      assertArrayEquals(new float[] {1}, f.floats("early"));
      assertArrayEquals(new float[] {2}, f.floats("late"));
    }
  }

  /** Opening {@code bytes} fails with a message containing the file name and every one of {@code parts}. */
  private void assertRefused(byte[] bytes, String... parts) throws IOException {
    Path p = write("bad.safetensors", bytes);
    SafetensorsFormatException e = assertThrows(SafetensorsFormatException.class, () -> SafetensorsFile.open(p));
    assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
    for (String part : parts) {
      assertTrue(e.getMessage().contains(part), "'" + part + "' not in: " + e.getMessage());
    }
  }

  private void assertRefused(String header, byte[] data, String... parts) throws IOException {
    assertRefused(file(header, data), parts);
  }

  private static String entry(String name, String dtype, String shape, long begin, long end) {
    return "\"" + name + "\":{\"dtype\":\"" + dtype + "\",\"shape\":" + shape + ",\"data_offsets\":[" + begin + ","
        + end + "]}";
  }

  @Test
  void refusesFilesShorterThanTheLengthField() throws IOException {
    assertRefused(new byte[] {1, 0, 0}, "truncated");
  }

  @Test
  void refusesAHeaderBeyondTheFile() throws IOException {
    byte[] h = "{}".getBytes(StandardCharsets.UTF_8);
    assertRefused(file(50, h, new byte[0]), "header length 50", "beyond the end of the file");
  }

  @Test
  void refusesAnAbsurdHeaderLength() throws IOException {
    assertRefused(file(200L << 20, new byte[16], new byte[0]), "absurd");
    assertRefused(file(-1L, new byte[16], new byte[0]), "18446744073709551615", "absurd");
  }

  @Test
  void refusesInvalidJson() throws IOException {
    assertRefused("{\"a\": {\"dtype\": ", new byte[0], "not valid JSON");
    assertRefused("[1, 2]", new byte[0], "not a JSON object");
    assertRefused("{} {}", new byte[0], "text after");
    byte[] notUtf8 = {'{', '"', (byte) 0xff, '"', ':', '1', '}'};
    assertRefused(file(notUtf8.length, notUtf8, new byte[0]), "UTF-8");
  }

  @Test
  void refusesUnknownAndUnsupportedDtypes() throws IOException {
    assertRefused("{" + entry("w", "F17", "[1]", 0, 4) + "}", f32(1), "tensor 'w'", "unknown dtype 'F17'");
    assertRefused("{" + entry("ids", "I64", "[1]", 0, 8) + "}", f64(1), "tensor 'ids'", "I64 is not supported");
  }

  @Test
  void refusesAShapeThatDisagreesWithItsOffsets() throws IOException {
    assertRefused("{" + entry("w", "F32", "[2,2]", 0, 12) + "}", f32(1, 2, 3), "tensor 'w'", "needs 16 bytes",
        "hold 12");
    assertRefused("{" + entry("w", "F16", "[3]", 0, 4) + "}", u16(1, 2), "tensor 'w'", "needs 6 bytes");
  }

  @Test
  void refusesMalformedEntries() throws IOException {
    assertRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1]}}", f32(1), "tensor 'w'", "data_offsets");
    assertRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", f32(1), "tensor 'w'", "shape");
    assertRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", f32(1), "tensor 'w'",
        "end before they begin");
    assertRefused("{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4],\"dtyp\":1}}", f32(1),
        "tensor 'w'", "unknown field 'dtyp'");
    assertRefused("{\"w\":[1]}", f32(1), "tensor 'w'", "must be an object");
    assertRefused("{\"__metadata__\":{\"k\":1}," + entry("w", "F32", "[1]", 0, 4) + "}", f32(1), "__metadata__.k");
  }

  @Test
  void refusesOffsetsBeyondTheData() throws IOException {
    // the header promises 8 bytes, the file holds 6: a truncated file
    assertRefused("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("b", "F32", "[1]", 4, 8) + "}",
        concat(f32(1), new byte[2]), "tensor 'b'", "beyond the data section's 6 bytes");
  }

  @Test
  void refusesOverlappingTensors() throws IOException {
    assertRefused("{" + entry("a", "F32", "[2]", 0, 8) + "," + entry("b", "F32", "[2]", 4, 12) + "}",
        f32(1, 2, 3), "tensor 'b'", "overlap tensor 'a'");
  }

  @Test
  void refusesGapsAndTrailingBytes() throws IOException {
    assertRefused("{" + entry("a", "F32", "[1]", 4, 8) + "}", f32(1, 2), "tensor 'a'", "gap", "[0, 4)");
    assertRefused("{" + entry("a", "F32", "[1]", 0, 4) + "}", f32(1, 2), "4 bytes after the last tensor");
  }

  @Test
  void refusesADuplicateName() throws IOException {
    assertRefused("{" + entry("a", "F32", "[1]", 0, 4) + "," + entry("a", "F32", "[1]", 4, 8) + "}", f32(1, 2),
        "tensor 'a' appears twice");
  }
}
