package io.chatvector.plan;

import io.chatvector.format.DType;
import io.chatvector.format.TensorInfo;
import java.util.List;

/** A tensor of the output, described region by region before it is cut into chunks. */
record OutputTensor(String name, DType dtype, long[] shape, List<Region> regions, TensorAction action) {

  long byteLength() {
    return dtype.bytesFor(TensorInfo.elementCount(shape));
  }

  TensorInfo info() {
    return new TensorInfo(name, dtype, shape, 0, byteLength());
  }

  /** Where element 0 of an input tensor lies. */
  record TensorRef(int file, long dataPosition, DType dtype) {
  }

  record TermRef(float weight, TensorRef plus, TensorRef minus) {
  }

  /**
   * Elements {@code [first, first + count)}, either copied raw from {@code start} or computed as
   * {@code start + sum(terms)}.
   */
  record Region(long first, long count, TensorRef start, List<TermRef> terms, boolean raw) {
  }
}
