package io.chatvector.spark;

import io.chatvector.plan.BufferSizes;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Direct buffers of one piece each, shared by the tasks of an executor. Direct memory is returned to the system only
 * when a garbage collection finds the buffer unreachable, which may be long after thousands of tasks; pooled, it is
 * bounded by the pieces in use at once.
 */
final class DirectPieces {
  private static final ConcurrentLinkedQueue<ByteBuffer> FREE = new ConcurrentLinkedQueue<>();

  private DirectPieces() {
  }

  static ByteBuffer acquire() {
    ByteBuffer buffer = FREE.poll();
    return buffer != null ? buffer.clear() : ByteBuffer.allocateDirect(BufferSizes.PIECE_BYTES);
  }

  static void release(ByteBuffer buffer) {
    FREE.add(buffer);
  }
}
