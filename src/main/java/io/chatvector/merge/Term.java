package io.chatvector.merge;

/**
 * One addend of a merge: {@code weight * plus}, or {@code weight * (plus - minus)} when a chat vector is
 * computed on the fly from a chat and a base model.
 */
public record Term(float weight, Operand plus, Operand minus) {
  public static Term of(float weight, Operand vector) {
    return new Term(weight, vector, null);
  }

  public static Term difference(float weight, Operand chat, Operand base) {
    return new Term(weight, chat, base);
  }
}
