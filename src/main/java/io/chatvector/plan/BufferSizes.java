package io.chatvector.plan;

import java.util.List;

/**
 * The buffers a task needs, one per role: the start (CP), the output, and each term's plus and minus. Holding whole
 * chunks, each is as large as the largest of its chunks need; streaming local files, each holds one piece.
 */
public final class BufferSizes {
  /** A piece of every operand and of the output stays in a core's L2 cache: 64 Ki elements, up to 4 bytes each. */
  public static final int PIECE_ELEMENTS = 64 * 1024;
  public static final int PIECE_BYTES = 4 * PIECE_ELEMENTS;
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

  /** Bytes of buffers for whole chunks, or for pieces of them. */
  public static long total(List<Chunk> chunks, boolean pieces) {
    long total = 0;
    for (int size : of(chunks)) {
      total += pieces ? Math.min(size, PIECE_BYTES) : size;
    }
    return total;
  }
}
