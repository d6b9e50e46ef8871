package io.chatvector.merge;

import io.chatvector.format.DType;

/** Chunk bytes of one input tensor, little-endian, and the file they came from (for error messages). */
public record Operand(String file, DType dtype, byte[] bytes) {
}
