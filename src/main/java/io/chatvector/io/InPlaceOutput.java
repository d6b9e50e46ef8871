package io.chatvector.io;

import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes straight into the target on an object store, which has no atomic rename. A marker object says a job
 * is under way; the index and {@code _SUCCESS} are written last, so a checkpoint without them is incomplete,
 * and a target holding the marker is a failed run's leftovers that a rerun may replace.
 */
final class InPlaceOutput extends OutputDirectory {
  static final String IN_PROGRESS_MARKER = "_CHATVECTOR_IN_PROGRESS";

  InPlaceOutput(FileSystem fs, Path target, boolean overwrite, ShardParts parts) {
    super(fs, target, overwrite, parts);
  }

  @Override
  boolean isReplaceable() throws IOException {
    return super.isReplaceable() || fs.exists(new Path(target, IN_PROGRESS_MARKER));
  }

  @Override
  public Path writeDirectory() {
    return target;
  }

  @Override
  public boolean renamesShardAttempts() {
    return false;
  }

  @Override
  public void begin(boolean resume) throws IOException {
    if (resume && fs.exists(new Path(target, IN_PROGRESS_MARKER))) {
      return;
    }
    // The index goes first, so that the old checkpoint stops looking complete before anything else changes.
    fs.delete(new Path(target, Checkpoint.INDEX_FILE), false);
    fs.delete(target, true);
    fs.create(new Path(target, IN_PROGRESS_MARKER), true).close();
  }

  @Override
  public void publish() throws IOException {
    fs.create(new Path(target, SUCCESS_MARKER), true).close();
    fs.delete(new Path(target, IN_PROGRESS_MARKER), false);
  }

  @Override
  public void abort() {
    deleteQuietly(new Path(target, Checkpoint.INDEX_FILE));
    deleteQuietly(target);
  }
}
