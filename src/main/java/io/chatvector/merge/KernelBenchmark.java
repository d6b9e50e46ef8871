package io.chatvector.merge;

import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.plan.BufferSizes;
import java.io.PrintWriter;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Throughput of the merge arithmetic on one core, per dtype: the fused form (cp + 0.5 * (chat - base)) over 16M
 * elements, after warm-up, counting the bytes of three inputs and one output.
 */
public final class KernelBenchmark {
  /** One piece, as a local merge streams it: its operands stay in the core's cache, as in the job. */
  private static final int ELEMENTS = BufferSizes.PIECE_ELEMENTS;
  private static final int PIECES_PER_RUN = 256;
  private static final int WARM_UP = 4;
  private static final int MEASURED = 6;

  private KernelBenchmark() {
  }

  public static void run(PrintWriter out) {
    Lanes lanes = Lanes.fastest();
    out.printf("kernel: fused merge on one core, %s, a %d Ki-element piece in direct buffers %d times per run,"
        + " best of %d after %d warm-up runs%n",
        lanes instanceof ScalarLanes ? "scalar loops (no jdk.incubator.vector)" : "Vector API loops",
        ELEMENTS >> 10, PIECES_PER_RUN, MEASURED, WARM_UP);
    for (DType dtype : new DType[] {DType.BF16, DType.F16, DType.F32}) {
      int width = dtype.bits() / 8;
      SplittableRandom random = new SplittableRandom(1);
      byte[] cp = new byte[ELEMENTS * width];
      byte[] chat = new byte[cp.length];
      byte[] base = new byte[cp.length];
      fill(random, dtype, cp);
      fill(random, dtype, chat);
      fill(random, dtype, base);
      ByteBuffer result = ByteBuffer.allocateDirect(cp.length);
      ChunkArithmetic arithmetic = new ChunkArithmetic(false, lanes);
      ChunkArithmetic.ChunkPosition position = new ChunkArithmetic.ChunkPosition("bench", new long[] {ELEMENTS}, 0);
      List<Term> terms = List.of(Term.difference(0.5f, new Operand("chat", dtype, direct(chat)),
          new Operand("base", dtype, direct(base))));
      Operand start = new Operand("cp", dtype, direct(cp));
      long best = Long.MAX_VALUE;
      for (int run = 0; run < WARM_UP + MEASURED; run++) {
        long begin = System.nanoTime();
        for (int piece = 0; piece < PIECES_PER_RUN; piece++) {
          arithmetic.compute(position, ELEMENTS, start, terms, dtype, result);
        }
        long nanos = System.nanoTime() - begin;
        if (run >= WARM_UP) {
          best = Math.min(best, nanos);
        }
      }
      double seconds = best / 1e9;
      out.printf("  %-4s %6.2f ns/element, %6.2f GB/s of inputs and output per core%n", dtype,
          best / (double) ELEMENTS / PIECES_PER_RUN, 4.0 * cp.length * PIECES_PER_RUN / seconds / 1e9);
    }
    out.flush();
  }

  private static ByteBuffer direct(byte[] bytes) {
    return ByteBuffer.allocateDirect(bytes.length).put(bytes).flip();
  }

  /** Small values around 1, as model weights are (finite, so the non-finite checks run their normal path). */
  private static void fill(SplittableRandom random, DType dtype, byte[] bytes) {
    ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      Floats.put(buffer, dtype, (float) random.nextDouble(-1, 1));
    }
  }
}
