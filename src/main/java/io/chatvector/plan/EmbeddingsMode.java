package io.chatvector.plan;

/** What to do when the CP model has more vocabulary rows than the vector (tokens appended by the CP). */
public enum EmbeddingsMode {
  /** Fail and name the ways out. */
  ERROR,
  /** Keep the CP's tensor as it is: the paper's choice. */
  SKIP,
  /** Add the vector to the shared leading rows; the CP's new rows stay as they are. */
  OVERLAP
}
