package io.chatvector.io;

import io.chatvector.InvalidInputException;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * An output checkpoint directory, written under a staging directory beside it and published by one rename
 * when complete, so a failed or killed job never leaves something that looks like a finished checkpoint.
 * The staging name is fixed, so a rerun clears what a killed run left behind.
 */
public final class OutputDirectory {
  private final FileSystem fs;
  private final Path target;
  private final Path staging;
  private final boolean overwrite;

  private OutputDirectory(FileSystem fs, Path target, boolean overwrite) {
    this.fs = fs;
    this.target = target;
    this.staging = new Path(target.getParent(), "." + target.getName() + ".chatvector-staging");
    this.overwrite = overwrite;
  }

  /**
   * Checks that the output may be written (absent, empty, or {@code overwrite}; not overlapping any input)
   * without touching anything.
   */
  public static OutputDirectory check(String location, boolean overwrite, List<Path> inputs, Configuration conf)
      throws IOException {
    Path target = Storage.qualify(location, conf);
    if (target.getParent() == null) {
      throw new InvalidInputException(target + ": cannot write a checkpoint at the root of a file system");
    }
    for (Path input : inputs) {
      if (isSameOrInside(target, input) || isSameOrInside(input, target)) {
        throw new InvalidInputException(target + ": output overlaps the input " + input);
      }
    }
    FileSystem fs = Storage.fileSystem(target, conf);
    if (fs.exists(target) && !overwrite) {
      FileStatus status = fs.getFileStatus(target);
      if (status.isFile() || fs.listStatus(target).length > 0) {
        throw new InvalidInputException(target + ": output already exists (use --overwrite to replace it)");
      }
    }
    return new OutputDirectory(fs, target, overwrite);
  }

  private static boolean isSameOrInside(Path path, Path directory) {
    String dir = directory.toString().endsWith("/") ? directory.toString() : directory + "/";
    return path.toString().equals(directory.toString()) || path.toString().startsWith(dir);
  }

  public Path target() {
    return target;
  }

  public Path staging() {
    return staging;
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /** Clears a stale staging directory from an earlier run and creates a fresh one. */
  public void begin() throws IOException {
    fs.delete(staging, true);
    if (!fs.mkdirs(staging)) {
      throw new IOException(staging + ": cannot create the staging directory");
    }
  }

  /** Replaces the target with the staged checkpoint. */
  public void publish() throws IOException {
    if (fs.exists(target)) {
      if (!overwrite && fs.listStatus(target).length > 0) {
        throw new InvalidInputException(target + ": output appeared while the job ran (use --overwrite to replace it)");
      }
      fs.delete(target, true);
    }
    if (!fs.rename(staging, target)) {
      throw new IOException("Cannot publish " + staging + " as " + target + ": rename failed");
    }
  }

  /** Removes what was staged; the target is untouched. */
  public void abort() {
    try {
      fs.delete(staging, true);
    } catch (IOException e) {
      System.err.println("warning: " + staging + ": could not remove the staging directory: " + e.getMessage());
    }
  }
}
