package io.chatvector.format;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One tensor entry of a safetensors header: its name, type, shape and byte range relative to the start
 * of the data buffer.
 */
public record TensorInfo(String name, DType dtype, long[] shape, long begin, long end) implements Serializable {

  public long elements() {
    return elementCount(shape);
  }

  public long byteLength() {
    return end - begin;
  }

  /** Size of the leading dimension (rows), or 1 for a scalar. */
  public long rows() {
    return shape.length == 0 ? 1 : shape[0];
  }

  public static long elementCount(long[] shape) {
    long count = 1;
    for (long dim : shape) {
      count = Math.multiplyExact(count, dim);
    }
    return count;
  }

  public String shapeString() {
    return Arrays.toString(shape);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorInfo that
        && name.equals(that.name) && dtype == that.dtype && Arrays.equals(shape, that.shape)
        && begin == that.begin && end == that.end;
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }
}
