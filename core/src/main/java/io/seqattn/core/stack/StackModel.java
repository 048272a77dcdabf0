package io.seqattn.core.stack;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A deep model (format 2): its {@link StackConfig} and float32 weight tensors, row-major, by the
 * names and shapes of {@link StackConfig#tensorShapes()} — exactly those, no more. Only primitive
 * arrays are held, so the model can be broadcast by Spark; kernels build ND4J arrays from it inside
 * tasks. Models come from a directory ({@link StackDirectory}) or are drawn ({@link StackInitializer}).
 */
public final class StackModel implements Serializable {
  private final StackConfig config;
  private final Map<String, float[]> tensors;
  private final String fingerprint;

  /** @throws IllegalArgumentException naming a tensor that is missing, extra, of the wrong size or not finite */
  public StackModel(StackConfig config, Map<String, float[]> tensors) {
    this.config = config;
    Map<String, int[]> shapes = config.tensorShapes();
    for (String name : tensors.keySet()) {
      if (!shapes.containsKey(name)) {
        throw new IllegalArgumentException("tensor '" + name + "' is not part of this model (the config calls for "
            + shapes.keySet() + ")");
      }
    }
    Map<String, float[]> ordered = new LinkedHashMap<>();
    for (Map.Entry<String, int[]> e : shapes.entrySet()) {
      float[] values = tensors.get(e.getKey());
      if (values == null) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' " + Arrays.toString(e.getValue())
            + " is missing");
      }
      long size = 1;
      for (int s : e.getValue()) {
        size *= s;
      }
      if (values.length != size) {
        throw new IllegalArgumentException("tensor '" + e.getKey() + "' has " + values.length + " values, its shape "
            + Arrays.toString(e.getValue()) + " needs " + size);
      }
      for (int i = 0; i < values.length; i++) {
        if (!Float.isFinite(values[i])) {
          throw new IllegalArgumentException("tensor '" + e.getKey() + "': element " + i + " is " + values[i]
              + " (weights must be finite)");
        }
      }
      ordered.put(e.getKey(), values);
    }
    this.tensors = Collections.unmodifiableMap(ordered);
    this.fingerprint = computeFingerprint();
  }

  public StackConfig config() {
    return config;
  }

  /** A tensor by name, row-major as its shape says; do not modify. */
  public float[] tensor(String name) {
    float[] t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("this model has no tensor '" + name + "'");
    }
    return t;
  }

  /** Every tensor, in the order of {@link StackConfig#tensorShapes()}. */
  public Map<String, float[]> tensors() {
    return tensors;
  }

  /** A short content hash of the canonical config and every tensor (first 16 hex digits of SHA-256). */
  public String fingerprint() {
    return fingerprint;
  }

  private String computeFingerprint() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(StackConfigJson.toJson(config).getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, float[]> e : tensors.entrySet()) {
        sha.update(e.getKey().getBytes(StandardCharsets.UTF_8));
        ByteBuffer buf = ByteBuffer.allocate(e.getValue().length * 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putLong(e.getValue().length);
        for (float v : e.getValue()) {
          buf.putFloat(v);
        }
        sha.update(buf.array());
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every Java platform", e);
    }
  }
}
