package io.chatvector.plan;

/** What the plan does with one tensor, as counted in the summary. */
public enum TensorAction {
  MERGED("merged"),
  EXTRACTED("extracted"),
  OVERLAPPED("merged on shared rows (vocabulary overlap)"),
  COPIED_NOT_IN_VECTOR("copied, not in the vector"),
  COPIED_EXCLUDED("copied, excluded by --exclude"),
  COPIED_VOCABULARY("copied, larger vocabulary (--embeddings skip)"),
  OMITTED_EXCLUDED("left out, excluded by --exclude"),
  OMITTED_NOT_FLOAT("left out, not floating point");

  private final String description;

  TensorAction(String description) {
    this.description = description;
  }

  public String description() {
    return description;
  }
}
