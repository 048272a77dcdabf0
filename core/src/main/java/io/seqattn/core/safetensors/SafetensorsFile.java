package io.seqattn.core.safetensors;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An open safetensors file. The layout is: 8 bytes, the header length N as a little-endian unsigned
 * integer; N bytes of UTF-8 JSON, {@code {NAME: {"dtype", "shape", "data_offsets": [begin, end]},
 * "__metadata__": {string: string}}}; then the data section, each tensor's raw little-endian C-order
 * bytes at [begin, end) counted from the end of the header.
 *
 * <p>{@link #open} checks the whole header before anything is read: N within the file and at most
 * {@link #MAX_HEADER_BYTES}; valid UTF-8 and JSON; no name twice; a known, supported dtype; end −
 * begin = product(shape) × the dtype's size; and the ranges, in order, tiling the data section
 * exactly from 0 to its end (no gap, overlap, range past the end or trailing bytes). A file that
 * passes can then only fail to read on an I/O error. Tensors are read one at a time with positioned
 * reads of their own range, so a file is never held in memory twice.
 */
public final class SafetensorsFile implements AutoCloseable {
  /** Larger headers are refused as corrupt: real ones are a few hundred bytes per tensor. */
  public static final long MAX_HEADER_BYTES = 100L << 20;

  private static final String METADATA = "__metadata__";
  private static final Set<String> ENTRY_FIELDS = Set.of("dtype", "shape", "data_offsets");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path file;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, SafetensorsTensor> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(Path file, FileChannel channel, long dataStart, Map<String, SafetensorsTensor> tensors,
      Map<String, String> metadata) {
    this.file = file;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens and checks a file.
   *
   * @throws SafetensorsFormatException naming the file, and the tensor where one is at fault
   */
  public static SafetensorsFile open(Path file) throws IOException {
    FileChannel channel = FileChannel.open(file, StandardOpenOption.READ);
    try {
      long size = channel.size();
      if (size < 8) {
        throw new SafetensorsFormatException(file + ": truncated: " + size + " bytes, not even the 8-byte header "
            + "length (not a safetensors file?)");
      }
      ByteBuffer lengthBytes = readRange(channel, 0, 8, file).order(ByteOrder.LITTLE_ENDIAN);
      long n = lengthBytes.getLong();
      if (n < 0 || n > MAX_HEADER_BYTES) {
        throw new SafetensorsFormatException(file + ": header length " + Long.toUnsignedString(n) + " is absurd "
            + "(more than " + MAX_HEADER_BYTES + " bytes; not a safetensors file, or corrupt)");
      }
      if (8 + n > size) {
        throw new SafetensorsFormatException(file + ": header length " + n + " goes beyond the end of the file ("
            + size + " bytes; truncated, or not a safetensors file)");
      }
      String header = utf8(readRange(channel, 8, (int) n, file), file);
      Map<String, String> metadata = new LinkedHashMap<>();
      Map<String, SafetensorsTensor> tensors = parseHeader(header, file, metadata);
      checkLayout(tensors, size - 8 - n, file);
      return new SafetensorsFile(file, channel, 8 + n, Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(metadata));
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  /** The file's path, for messages. */
  public Path path() {
    return file;
  }

  /** Every tensor, in header order. */
  public Map<String, SafetensorsTensor> tensors() {
    return tensors;
  }

  /** The {@code __metadata__} entries (empty when the header has none). */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * A tensor's values as float32, row-major in its shape.
   *
   * @throws IllegalArgumentException when the file has no such tensor or it has more than 2^31 − 1 elements
   */
  public float[] floats(String name) throws IOException {
    SafetensorsTensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException(file + ": no tensor '" + name + "'");
    }
    long count = t.elementCount();
    if (count > Integer.MAX_VALUE - 8) {
      throw new SafetensorsFormatException(file + ": tensor '" + name + "' has " + count + " elements, too many "
          + "for one Java array");
    }
    float[] values = new float[(int) count];
    ByteBuffer data = readRange(channel, dataStart + t.begin(), Math.toIntExact(t.end() - t.begin()), file);
    t.dtype().decode(data.order(ByteOrder.LITTLE_ENDIAN), values);
    return values;
  }

  @Override
  public void close() throws IOException {
    channel.close();
  }

  private static ByteBuffer readRange(FileChannel channel, long position, int length, Path file) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(length);
    while (buf.hasRemaining()) {
      if (channel.read(buf, position + buf.position()) < 0) {
        throw new EOFException(file + ": truncated while reading bytes " + position + ".." + (position + length));
      }
    }
    return buf.flip();
  }

  private static String utf8(ByteBuffer bytes, Path file) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(bytes).toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsFormatException(file + ": header is not valid UTF-8 (" + e.getMessage() + ")");
    }
  }

  /** The entries of the header object, read field by field so that a name given twice is seen. */
  private static Map<String, SafetensorsTensor> parseHeader(String header, Path file, Map<String, String> metadata) {
    Map<String, SafetensorsTensor> tensors = new LinkedHashMap<>();
    try (JsonParser parser = new JsonFactory(JSON).createParser(header)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new SafetensorsFormatException(file + ": header is not a JSON object");
      }
      boolean sawMetadata = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        parser.nextToken();
        JsonNode value = parser.readValueAsTree();
        if (METADATA.equals(name)) {
          if (sawMetadata) {
            throw new SafetensorsFormatException(file + ": header has '" + METADATA + "' twice");
          }
          sawMetadata = true;
          readMetadata(value, file, metadata);
        } else if (tensors.containsKey(name)) {
          throw new SafetensorsFormatException(file + ": tensor '" + name + "' appears twice in the header");
        } else {
          tensors.put(name, entry(name, value, file));
        }
      }
      if (parser.nextToken() != null) {
        throw new SafetensorsFormatException(file + ": header has text after its JSON object");
      }
    } catch (JsonProcessingException e) {
      throw new SafetensorsFormatException(file + ": header is not valid JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new SafetensorsFormatException(file + ": header is not valid JSON: " + e.getMessage(), e);
    }
    return tensors;
  }

  private static void readMetadata(JsonNode value, Path file, Map<String, String> into) {
    if (!value.isObject()) {
      throw new SafetensorsFormatException(file + ": '" + METADATA + "' must be an object of strings");
    }
    for (Map.Entry<String, JsonNode> e : value.properties()) {
      if (!e.getValue().isTextual()) {
        throw new SafetensorsFormatException(file + ": '" + METADATA + "." + e.getKey() + "' must be a string");
      }
      into.put(e.getKey(), e.getValue().textValue());
    }
  }

  private static SafetensorsTensor entry(String name, JsonNode value, Path file) {
    String where = file + ": tensor '" + name + "'";
    if (!value.isObject()) {
      throw new SafetensorsFormatException(where + ": entry must be an object with dtype, shape and data_offsets");
    }
    for (Iterator<String> it = value.fieldNames(); it.hasNext(); ) {
      String field = it.next();
      if (!ENTRY_FIELDS.contains(field)) {
        throw new SafetensorsFormatException(where + ": unknown field '" + field + "' (expected dtype, shape, "
            + "data_offsets)");
      }
    }
    SafetensorsDtype dtype = dtype(value.get("dtype"), where);
    long[] shape = naturals(value.get("shape"), "shape", -1, where);
    long[] offsets = naturals(value.get("data_offsets"), "data_offsets", 2, where);
    int[] dims = new int[shape.length];
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] > Integer.MAX_VALUE) {
        throw new SafetensorsFormatException(where + ": dimension " + shape[i] + " is too large");
      }
      dims[i] = (int) shape[i];
      try {
        count = Math.multiplyExact(count, shape[i]);
      } catch (ArithmeticException e) {
        throw new SafetensorsFormatException(where + ": shape " + value.get("shape") + " has too many elements");
      }
    }
    if (offsets[1] < offsets[0]) {
      throw new SafetensorsFormatException(where + ": data_offsets [" + offsets[0] + ", " + offsets[1] + "] end "
          + "before they begin");
    }
    long bytes;
    try {
      bytes = Math.multiplyExact(count, dtype.bytes());
    } catch (ArithmeticException e) {
      throw new SafetensorsFormatException(where + ": shape " + value.get("shape") + " has too many elements");
    }
    if (bytes != offsets[1] - offsets[0]) {
      throw new SafetensorsFormatException(where + ": shape " + value.get("shape") + " of " + dtype + " needs "
          + bytes + " bytes, but data_offsets [" + offsets[0] + ", " + offsets[1] + "] hold " + (offsets[1] - offsets[0]));
    }
    return new SafetensorsTensor(name, dtype, dims, offsets[0], offsets[1]);
  }

  private static SafetensorsDtype dtype(JsonNode node, String where) {
    if (node == null || !node.isTextual()) {
      throw new SafetensorsFormatException(where + ": 'dtype' must be a string such as \"F32\"");
    }
    String name = node.textValue();
    for (SafetensorsDtype d : SafetensorsDtype.values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    if (SafetensorsDtype.UNSUPPORTED.contains(name)) {
      throw new SafetensorsFormatException(where + ": dtype " + name + " is not supported (seqattn reads F32, F16, "
          + "BF16 and F64 weights; convert the checkpoint to one of those)");
    }
    throw new SafetensorsFormatException(where + ": unknown dtype '" + name + "' (expected F32, F16, BF16 or F64)");
  }

  /** A JSON array of integers ≥ 0, of {@code length} elements unless that is −1. */
  private static long[] naturals(JsonNode node, String field, int length, String where) {
    String wanted = length < 0 ? "an array of integers >= 0" : "an array of " + length + " integers >= 0";
    if (node == null || !node.isArray() || (length >= 0 && node.size() != length)) {
      throw new SafetensorsFormatException(where + ": '" + field + "' must be " + wanted + ", got " + node);
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode v = node.get(i);
      if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
        throw new SafetensorsFormatException(where + ": '" + field + "' must be " + wanted + ", got " + node);
      }
      values[i] = v.longValue();
    }
    return values;
  }

  /** The ranges, sorted, must tile [0, dataBytes) exactly. */
  private static void checkLayout(Map<String, SafetensorsTensor> tensors, long dataBytes, Path file) {
    List<SafetensorsTensor> sorted = new ArrayList<>(tensors.values());
    sorted.sort(Comparator.comparingLong(SafetensorsTensor::begin).thenComparingLong(SafetensorsTensor::end));
    long covered = 0;
    SafetensorsTensor previous = null;
    for (SafetensorsTensor t : sorted) {
      String where = file + ": tensor '" + t.name() + "' data_offsets [" + t.begin() + ", " + t.end() + "]";
      if (t.end() > dataBytes) {
        throw new SafetensorsFormatException(where + " go beyond the data section's " + dataBytes + " bytes "
            + "(the file is truncated, or the offsets are wrong)");
      }
      if (t.begin() < covered) {
        throw new SafetensorsFormatException(where + " overlap tensor '" + previous.name() + "' ["
            + previous.begin() + ", " + previous.end() + "]");
      }
      if (t.begin() > covered) {
        throw new SafetensorsFormatException(where + " leave a gap: bytes [" + covered + ", " + t.begin()
            + ") of the data section belong to no tensor");
      }
      covered = t.end();
      previous = t;
    }
    if (covered != dataBytes) {
      throw new SafetensorsFormatException(file + ": the data section has " + (dataBytes - covered) + " bytes after "
          + "the last tensor (bytes [" + covered + ", " + dataBytes + ") belong to no tensor)");
    }
  }
}
