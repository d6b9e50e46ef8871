package io.chatvector.plan;

import io.chatvector.format.DType;
import java.io.Serializable;

/** A byte range of an input file: {@code bytes} bytes at {@code position} of input file {@code file}. */
public record Source(int file, long position, int bytes, DType dtype) implements Serializable {
}
