package io.seqattn.core.safetensors;

import java.nio.ByteBuffer;
import java.util.Set;

/**
 * The element types seqattn reads from a safetensors file, each widened or narrowed to float32:
 * F16 and BF16 exactly ({@link HalfFloats}), F64 rounded to nearest. The data is little-endian.
 */
public enum SafetensorsDtype {
  F64(8) {
    @Override
    void decode(ByteBuffer data, float[] into) {
      for (int i = 0; i < into.length; i++) {
        into[i] = (float) data.getDouble();
      }
    }
  },
  F32(4) {
    @Override
    void decode(ByteBuffer data, float[] into) {
      data.asFloatBuffer().get(into);
    }
  },
  F16(2) {
    @Override
    void decode(ByteBuffer data, float[] into) {
      for (int i = 0; i < into.length; i++) {
        into[i] = HalfFloats.f16ToFloat(data.getShort());
      }
    }
  },
  BF16(2) {
    @Override
    void decode(ByteBuffer data, float[] into) {
      for (int i = 0; i < into.length; i++) {
        into[i] = HalfFloats.bf16ToFloat(data.getShort());
      }
    }
  };

  /** The other dtype names of the safetensors format: recognized, so the message can say "not supported". */
  static final Set<String> UNSUPPORTED = Set.of("BOOL", "U8", "I8", "U16", "I16", "U32", "I32", "U64", "I64",
      "F8_E5M2", "F8_E4M3", "F8_E8M0", "F6_E2M3", "F6_E3M2", "F4", "C64");

  private final int bytes;

  SafetensorsDtype(int bytes) {
    this.bytes = bytes;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** Fills {@code into} from {@code data}, a little-endian buffer of exactly {@code into.length} elements. */
  abstract void decode(ByteBuffer data, float[] into);
}
