package io.chatvector.plan;

import java.util.List;

/**
 * The buffer sizes a task needs to hold whole chunks, one buffer per role: the start (CP), the output, and each
 * term's plus and minus, each as large as the largest of its chunks need.
 */
public final class BufferSizes {
  public static final int START = 0;
  public static final int OUT = 1;

  private BufferSizes() {
  }

  public static int plus(int term) {
    return 2 + 2 * term;
  }

  public static int minus(int term) {
    return 3 + 2 * term;
  }

  /** Sizes by role: [start, out, plus0, minus0, plus1, minus1, ...]. */
  public static int[] of(List<Chunk> chunks) {
    int terms = chunks.stream().mapToInt(c -> c.terms().size()).max().orElse(0);
    int[] sizes = new int[plus(terms)];
    for (Chunk chunk : chunks) {
      if (chunk.start() != null) {
        sizes[START] = Math.max(sizes[START], chunk.start().bytes());
      }
      if (!chunk.rawCopy()) {
        sizes[OUT] = Math.max(sizes[OUT], chunk.outBytes());
      }
      for (int t = 0; t < chunk.terms().size(); t++) {
        SourceTerm term = chunk.terms().get(t);
        sizes[plus(t)] = Math.max(sizes[plus(t)], term.plus().bytes());
        if (term.minus() != null) {
          sizes[minus(t)] = Math.max(sizes[minus(t)], term.minus().bytes());
        }
      }
    }
    return sizes;
  }

  public static long total(List<Chunk> chunks) {
    long total = 0;
    for (int size : of(chunks)) {
      total += size;
    }
    return total;
  }
}
