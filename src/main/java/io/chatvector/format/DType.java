package io.chatvector.format;

import java.util.HashMap;
import java.util.Map;

/** The safetensors element types, with their exact (case-sensitive) names and sizes in bits. */
public enum DType {
  BOOL(8), F4(4), F6_E2M3(6), F6_E3M2(6),
  U8(8), I8(8), F8_E5M2(8), F8_E4M3(8), F8_E8M0(8), F8_E4M3FNUZ(8), F8_E5M2FNUZ(8),
  I16(16), U16(16), F16(16), BF16(16),
  I32(32), U32(32), F32(32),
  C64(64), F64(64), I64(64), U64(64);

  private static final Map<String, DType> BY_NAME = new HashMap<>();

  static {
    for (DType type : values()) {
      BY_NAME.put(type.name(), type);
    }
  }

  private final int bits;

  DType(int bits) {
    this.bits = bits;
  }

  public int bits() {
    return bits;
  }

  /** Whether the merge arithmetic handles this type (F32, BF16, F16); others can only be copied. */
  public boolean isMergeable() {
    return this == F32 || this == BF16 || this == F16;
  }

  /** Bytes taken by {@code elements} elements, or -1 when that is not a whole number of bytes. */
  public long bytesFor(long elements) {
    long totalBits = Math.multiplyExact(elements, bits);
    return totalBits % 8 == 0 ? totalBits / 8 : -1;
  }

  /** The type with this exact name, or null. */
  public static DType byName(String name) {
    return BY_NAME.get(name);
  }

  /** Parses a user-given name for an output type; only mergeable types are accepted. */
  public static DType parseOutputType(String name) {
    DType type = byName(name == null ? null : name.toUpperCase(java.util.Locale.ROOT));
    if (type == null || !type.isMergeable()) {
      throw new IllegalArgumentException("Cannot use dtype '" + name + "': expected F32, BF16 or F16");
    }
    return type;
  }
}
