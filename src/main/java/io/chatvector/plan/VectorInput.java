package io.chatvector.plan;

import io.chatvector.io.Checkpoint;

/**
 * One addend of a merge: a stored chat vector with its weight, or (when {@code base} is set) the difference
 * {@code chat - base} computed on the fly.
 */
public record VectorInput(float weight, Checkpoint vectorOrChat, Checkpoint base) {
  public static VectorInput stored(float weight, Checkpoint vector) {
    return new VectorInput(weight, vector, null);
  }

  public static VectorInput difference(float weight, Checkpoint chat, Checkpoint base) {
    return new VectorInput(weight, chat, base);
  }

  public boolean isDifference() {
    return base != null;
  }
}
