package io.chatvector.merge;

import io.chatvector.format.DType;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses the merge loops while the JIT compiles them. The vector loops are fast only once the optimising compiler
 * has compiled them; before that every vector operation allocates, and they run a thousand times slower than the
 * scalar ones (measured here: the first tasks of a 1B merge took three times as long as the later ones). So chunks
 * use the scalar loops, which compile at once and give the same bits, while a daemon thread runs the vector loops
 * of a dtype on small blocks until they are measurably compiled, and then switches every chunk over. Started by the
 * driver while Spark starts (in local mode it is also the executor), and by executors at their first chunk.
 */
public final class KernelWarmUp {
  private static final Lanes SCALAR = new ScalarLanes();
  private static final Lanes VECTOR = Lanes.fastest();
  private static final int ELEMENTS = 16;
  private static final int CALLS_PER_CHECK = 500;
  /** Compiled vector loops take a few ns per element; uncompiled ones take microseconds. */
  private static final double COMPILED_NANOS_PER_ELEMENT = 20;
  private static final long GIVE_UP_NANOS = 60_000_000_000L;

  private static final Set<DType> STARTED = ConcurrentHashMap.newKeySet();
  private static final Map<DType, Boolean> COMPILED = new ConcurrentHashMap<>();

  private KernelWarmUp() {
  }

  /** Starts compiling the vector loops of {@code dtype} on a daemon thread, once per JVM; returns at once. */
  public static void start(DType dtype) {
    if (VECTOR instanceof VectorLanes && STARTED.add(dtype)) {
      Thread thread = new Thread(() -> compile(dtype), "chatvector-kernel-warm-up-" + dtype);
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** The vector loops once those of every dtype involved are compiled, else the scalar ones. */
  static Lanes lanes(DType outType, Operand start, List<Term> terms) {
    if (!compiled(outType) || start != null && !compiled(start.dtype())) {
      return SCALAR;
    }
    for (Term term : terms) {
      if (!compiled(term.plus().dtype())) {
        return SCALAR;
      }
    }
    return VECTOR;
  }

  private static boolean compiled(DType dtype) {
    if (COMPILED.containsKey(dtype)) {
      return true;
    }
    start(dtype);
    return false;
  }

  /**
   * Every loop of the dtype, each branch taken (a term with and without a minus, first and added), so that no job
   * form meets a branch the compiler left out and falls back to uncompiled vector code.
   */
  private static void compile(DType dtype) {
    int width = dtype.bits() / 8;
    Operand operand = new Operand("warm-up", dtype, ByteBuffer.allocateDirect(ELEMENTS * width));
    ByteBuffer out = ByteBuffer.allocateDirect(ELEMENTS * width);
    List<Term> terms = List.of(Term.difference(0.5f, operand, operand), Term.of(0.5f, operand),
        Term.difference(0.5f, operand, operand));
    ChunkArithmetic arithmetic = new ChunkArithmetic(false, VECTOR);
    ChunkArithmetic.ChunkPosition position = new ChunkArithmetic.ChunkPosition("warm-up", new long[] {ELEMENTS}, 0);
    long giveUp = System.nanoTime() + GIVE_UP_NANOS;
    while (System.nanoTime() < giveUp) {
      long begin = System.nanoTime();
      for (int call = 0; call < CALLS_PER_CHECK; call++) {
        arithmetic.compute(position, ELEMENTS, null, terms, dtype, out);
      }
      if ((System.nanoTime() - begin) / (double) (CALLS_PER_CHECK * ELEMENTS) < COMPILED_NANOS_PER_ELEMENT) {
        COMPILED.put(dtype, true);
        return;
      }
    }
  }
}
