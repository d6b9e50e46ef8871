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
  /** Warm-up calls are this small, so that running the loops before they are compiled costs little. */
  private static final int ELEMENTS = 16;
  private static final int CALLS_PER_CHECK = 500;
  /** The loops are still interpreted while such small calls take microseconds per element: no check yet. */
  private static final double INTERPRETED_NANOS_PER_ELEMENT = 1_000;
  /**
   * A check then times one block as chunks compute it ({@link ChunkArithmetic#BLOCK} elements), of which the fixed
   * cost of a call is a small part: compiled vector loops take 0.6-3.6 ns per element, partly compiled ones 15 or
   * more, compiled scalar loops 3-10 (measured here, three terms). A threshold on the 16-element calls broke twice
   * when a change added a few hundred nanoseconds per call, and chunks then ran the scalar loops for good (500 ns
   * more per call: no switch in 30 s; with this check, 0.4-0.5 s as without it).
   */
  private static final double COMPILED_NANOS_PER_ELEMENT = 8;
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
    Sample small = new Sample(dtype, ELEMENTS);
    Sample block = new Sample(dtype, ChunkArithmetic.BLOCK);
    ChunkArithmetic arithmetic = new ChunkArithmetic(false, VECTOR);
    long giveUp = System.nanoTime() + GIVE_UP_NANOS;
    while (System.nanoTime() < giveUp) {
      if (small.nanosPerElement(arithmetic, CALLS_PER_CHECK) < INTERPRETED_NANOS_PER_ELEMENT
          && block.nanosPerElement(arithmetic, 1) < COMPILED_NANOS_PER_ELEMENT) {
        COMPILED.put(dtype, true);
        return;
      }
    }
  }

  /** A chunk of zeros whose terms take every branch: with and without a minus, first and added. */
  private static final class Sample {
    private final DType dtype;
    private final int elements;
    private final List<Term> terms;
    private final ByteBuffer out;
    private final ChunkArithmetic.ChunkPosition position;

    Sample(DType dtype, int elements) {
      this.dtype = dtype;
      this.elements = elements;
      int bytes = elements * dtype.bits() / 8;
      Operand operand = new Operand("warm-up", dtype, ByteBuffer.allocateDirect(bytes));
      this.terms = List.of(Term.difference(0.5f, operand, operand), Term.of(0.5f, operand),
          Term.difference(0.5f, operand, operand));
      this.out = ByteBuffer.allocateDirect(bytes);
      this.position = new ChunkArithmetic.ChunkPosition("warm-up", new long[] {elements}, 0);
    }

    double nanosPerElement(ChunkArithmetic arithmetic, int calls) {
      long begin = System.nanoTime();
      for (int call = 0; call < calls; call++) {
        arithmetic.compute(position, elements, null, terms, dtype, out);
      }
      return (System.nanoTime() - begin) / ((double) calls * elements);
    }
  }
}
