package io.chatvector.plan;

import io.chatvector.io.FileVersion;
import java.io.Serializable;

/**
 * An input file as planned: its path, its version when planned (to notice a file replaced meanwhile), and the
 * checkpoint it belongs to.
 */
public record InputFile(String path, FileVersion plannedVersion, String input) implements Serializable {
  /** On this machine's file system, where it can be read with positional reads of any size. */
  public boolean isLocal() {
    return "file".equals(java.net.URI.create(path).getScheme());
  }

  /** Whether tasks can stream these inputs in pieces: when every one is a local file. */
  public static boolean allLocal(java.util.List<InputFile> inputs) {
    return inputs.stream().allMatch(InputFile::isLocal);
  }
}
