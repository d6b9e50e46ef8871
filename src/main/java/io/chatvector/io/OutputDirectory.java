package io.chatvector.io;

import io.chatvector.InvalidInputException;
import java.io.IOException;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Where a job writes its checkpoint, and how it makes it visible only when complete. File systems with an
 * atomic rename (local, HDFS) stage beside the target and rename; object stores, which have none, write in
 * place and publish by writing the index and {@code _SUCCESS} last. Either way a failed or killed job leaves
 * nothing that looks like a finished checkpoint, and a rerun replaces what it left.
 */
public abstract class OutputDirectory {
  public static final String SUCCESS_MARKER = "_SUCCESS";

  final FileSystem fs;
  final Path target;
  final boolean overwrite;
  private final ShardParts parts;

  OutputDirectory(FileSystem fs, Path target, boolean overwrite, ShardParts parts) {
    this.fs = fs;
    this.target = target;
    this.overwrite = overwrite;
    this.parts = parts;
  }

  /**
   * Checks that the output may be written (absent, empty, left by a failed run of ours, or {@code overwrite};
   * not overlapping any input) without touching anything.
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
    boolean objectStore = Storage.isObjectStore(target);
    ShardParts parts = "file".equals(target.toUri().getScheme()) ? null
        : ShardParts.forOutput(fs, target, objectStore);
    OutputDirectory output = objectStore
        ? new InPlaceOutput(fs, target, overwrite, parts)
        : new StagedOutput(fs, target, overwrite, parts);
    if (!overwrite && fs.exists(target) && !output.isReplaceable()) {
      throw new InvalidInputException(target + ": output already exists (use --overwrite to replace it)");
    }
    return output;
  }

  private static boolean isSameOrInside(Path path, Path directory) {
    String dir = directory.toString().endsWith("/") ? directory.toString() : directory + "/";
    return path.toString().equals(directory.toString()) || path.toString().startsWith(dir);
  }

  /** Whether an existing target may be replaced without --overwrite: empty, or a failed run's leftovers. */
  boolean isReplaceable() throws IOException {
    FileStatus status = fs.getFileStatus(target);
    return status.isDirectory() && fs.listStatus(target).length == 0;
  }

  public Path target() {
    return target;
  }

  public FileSystem fileSystem() {
    return fs;
  }

  /** Where the job's files go until {@link #publish()}. */
  public abstract Path writeDirectory();

  /**
   * Whether tasks may write byte ranges of one shard in parallel, at their positions in the file: on local disk
   * (and so on a shared mount), which Hadoop's streams cannot do.
   */
  public boolean writesAtPositions() {
    return "file".equals(writeDirectory().toUri().getScheme());
  }

  /**
   * How tasks write a shard's segments as parts where they cannot write at positions (HDFS, S3A); null where
   * the store can join no parts, and a shard is written by one task.
   */
  public ShardParts shardParts() {
    return parts;
  }

  /** The segment size tasks write: {@code requested} where a shard's are written in parallel, else whole shards. */
  public long segmentBytes(long requested) {
    return writesAtPositions() || parts != null ? requested : Long.MAX_VALUE;
  }

  /** The smallest segment but a shard's last that the store accepts. */
  public long minSegmentBytes() {
    return parts == null ? 0 : parts.minPartBytes();
  }

  /**
   * Whether shard writers should write under a per-attempt name and rename into place. False on object stores,
   * where a rename is a copy and a finished upload replaces an object atomically anyway.
   */
  public abstract boolean renamesShardAttempts();

  /**
   * Prepares the write directory: empty, or, when resuming, as an earlier failed run left it (shards it finished
   * and the records of them are kept for the job to check and reuse).
   */
  public abstract void begin(boolean resume) throws IOException;

  /** Makes the complete checkpoint visible at the target. */
  public abstract void publish() throws IOException;

  /** Removes what the job wrote; an existing target that was not replaced is untouched. */
  public abstract void abort();

  void deleteQuietly(Path path) {
    try {
      fs.delete(path, true);
    } catch (IOException e) {
      System.err.println("warning: " + path + ": could not remove what the failed job wrote: " + e.getMessage());
    }
  }
}
