package io.chatvector.plan;

import java.io.Serializable;

/** An input file as planned: its path, its length when planned (to notice a file replaced meanwhile), and
 * which input (cp, vector 1, base, ...) it belongs to. */
public record InputFile(String path, long plannedLength, String input) implements Serializable {
}
