package io.chatvector.merge;

import io.chatvector.format.DType;
import java.nio.ByteBuffer;

/**
 * Bytes of one input tensor, little-endian, from index 0 of {@code bytes} (heap or direct), and the file they came
 * from (for error messages).
 */
public record Operand(String file, DType dtype, ByteBuffer bytes) {
}
