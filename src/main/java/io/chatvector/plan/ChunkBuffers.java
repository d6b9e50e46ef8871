package io.chatvector.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * Reusable byte buffers for a task's chunks: one per role (start, each term's plus and minus, output),
 * each as large as the largest chunk needs, so a task allocates once however many chunks it writes.
 */
public final class ChunkBuffers {
  private final byte[] start;
  private final List<byte[]> plus = new ArrayList<>();
  private final List<byte[]> minus = new ArrayList<>();
  private final byte[] out;

  public ChunkBuffers(List<Chunk> chunks) {
    int[] sizes = sizes(chunks);
    start = new byte[sizes[0]];
    out = new byte[sizes[1]];
    for (int t = 2; t + 1 < sizes.length; t += 2) {
      plus.add(new byte[sizes[t]]);
      minus.add(new byte[sizes[t + 1]]);
    }
  }

  public byte[] start() {
    return start;
  }

  public byte[] plus(int term) {
    return plus.get(term);
  }

  public byte[] minus(int term) {
    return minus.get(term);
  }

  public byte[] out() {
    return out;
  }

  public static long bytesNeeded(List<Chunk> chunks) {
    long total = 0;
    for (int size : sizes(chunks)) {
      total += size;
    }
    return total;
  }

  /** [start, out, plus0, minus0, plus1, minus1, ...] */
  private static int[] sizes(List<Chunk> chunks) {
    int terms = chunks.stream().mapToInt(c -> c.terms().size()).max().orElse(0);
    int[] sizes = new int[2 + 2 * terms];
    for (Chunk chunk : chunks) {
      if (chunk.start() != null) {
        sizes[0] = Math.max(sizes[0], chunk.start().bytes());
      }
      if (!chunk.rawCopy()) {
        sizes[1] = Math.max(sizes[1], chunk.outBytes());
      }
      for (int t = 0; t < chunk.terms().size(); t++) {
        SourceTerm term = chunk.terms().get(t);
        sizes[2 + 2 * t] = Math.max(sizes[2 + 2 * t], term.plus().bytes());
        if (term.minus() != null) {
          sizes[3 + 2 * t] = Math.max(sizes[3 + 2 * t], term.minus().bytes());
        }
      }
    }
    return sizes;
  }
}
