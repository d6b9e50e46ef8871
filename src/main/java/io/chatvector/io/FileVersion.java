package io.chatvector.io;

import java.io.Serializable;
import org.apache.hadoop.fs.FileStatus;

/** What identifies the version of a file we planned with: a file replaced since has another length or time. */
public record FileVersion(long length, long modificationTime) implements Serializable {
  public static FileVersion of(FileStatus status) {
    return new FileVersion(status.getLen(), status.getModificationTime());
  }
}
