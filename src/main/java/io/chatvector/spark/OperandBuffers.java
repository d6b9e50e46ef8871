package io.chatvector.spark;

import io.chatvector.plan.BufferSizes;
import io.chatvector.plan.Chunk;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * A task's buffers by role ({@link BufferSizes}), each allocated on first use and reused for every chunk or piece:
 * heap buffers as large as the task's largest chunk, or pooled direct buffers of one piece each.
 */
final class OperandBuffers implements AutoCloseable {
  private final int[] capacities;
  private final boolean pooled;
  private ByteBuffer[] buffers = new ByteBuffer[0];

  private OperandBuffers(int[] capacities, boolean pooled) {
    this.capacities = capacities;
    this.pooled = pooled;
  }

  static OperandBuffers forChunks(List<Chunk> chunks) {
    return new OperandBuffers(BufferSizes.of(chunks), false);
  }

  static OperandBuffers forPieces() {
    return new OperandBuffers(null, true);
  }

  ByteBuffer start() {
    return buffer(BufferSizes.START);
  }

  ByteBuffer out() {
    return buffer(BufferSizes.OUT);
  }

  ByteBuffer plus(int term) {
    return buffer(BufferSizes.plus(term));
  }

  ByteBuffer minus(int term) {
    return buffer(BufferSizes.minus(term));
  }

  private ByteBuffer buffer(int role) {
    if (role >= buffers.length) {
      buffers = Arrays.copyOf(buffers, role + 1);
    }
    if (buffers[role] == null) {
      buffers[role] = pooled ? DirectPieces.acquire() : ByteBuffer.allocate(capacities[role]);
    }
    return buffers[role].clear();
  }

  @Override
  public void close() {
    if (pooled) {
      for (ByteBuffer buffer : buffers) {
        if (buffer != null) {
          DirectPieces.release(buffer);
        }
      }
    }
    buffers = new ByteBuffer[0];
  }
}
