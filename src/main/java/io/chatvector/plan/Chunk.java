package io.chatvector.plan;

import io.chatvector.format.DType;
import java.io.Serializable;
import java.util.List;

/**
 * A contiguous range of one output tensor, {@code outBytes} bytes at {@code outOffset} of its data. Either a raw
 * copy of {@code start}'s bytes, or {@code round(start + sum(terms))} computed in f32 ({@code start} absent when
 * extracting) over {@code elements} elements from {@code firstElement}.
 */
public record Chunk(String tensor, long[] shape, long firstElement, int elements, DType outType, long outOffset,
    int outBytes, Source start, List<SourceTerm> terms, boolean rawCopy) implements Serializable {

  /** Bytes of input this chunk reads. */
  public long bytesRead() {
    long bytes = start == null ? 0 : start.bytes();
    for (SourceTerm term : terms) {
      bytes += term.plus().bytes() + (term.minus() == null ? 0 : term.minus().bytes());
    }
    return bytes;
  }
}
