package io.chatvector.io;

import io.chatvector.InvalidInputException;
import java.io.IOException;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes under {@code .NAME.chatvector-staging} beside the target and publishes with one rename. The staging
 * name is fixed, so a rerun clears what a killed run left behind.
 */
final class StagedOutput extends OutputDirectory {
  private final Path staging;

  StagedOutput(FileSystem fs, Path target, boolean overwrite, ShardParts parts) {
    super(fs, target, overwrite, parts);
    this.staging = new Path(target.getParent(), "." + target.getName() + ".chatvector-staging");
  }

  @Override
  public Path writeDirectory() {
    return staging;
  }

  @Override
  public boolean renamesShardAttempts() {
    return true;
  }

  @Override
  public void begin(boolean resume) throws IOException {
    if (resume && fs.exists(staging)) {
      return;
    }
    fs.delete(staging, true);
    if (!fs.mkdirs(staging)) {
      throw new IOException(staging + ": cannot create the staging directory");
    }
  }

  @Override
  public void publish() throws IOException {
    if (fs.exists(target)) {
      if (!overwrite && !isReplaceable()) {
        throw new InvalidInputException(target + ": output appeared while the job ran (use --overwrite to replace it)");
      }
      fs.delete(target, true);
    }
    if (!fs.rename(staging, target)) {
      throw new IOException("Cannot publish " + staging + " as " + target + ": rename failed");
    }
  }

  @Override
  public void abort() {
    deleteQuietly(staging);
  }
}
