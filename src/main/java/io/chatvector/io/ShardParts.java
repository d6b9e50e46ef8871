package io.chatvector.io;

import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CommonPathCapabilities;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * How tasks write one shard in parts, in parallel, where a file has one writer (HDFS, object stores): the driver
 * starts an upload per shard, each task writes its segment as a part, and the driver makes the parts, in order, the
 * shard. Nothing is visible under the shard's name until then.
 */
public abstract class ShardParts implements Serializable {
  private static final long serialVersionUID = 1L;

  /** The parts this store can join, for an output at {@code target}; null if it can join none. */
  static ShardParts forOutput(FileSystem fs, Path target, boolean objectStore) throws IOException {
    if (objectStore) {
      return fs.hasPathCapability(target, CommonPathCapabilities.FS_MULTIPART_UPLOADER) ? new MultipartParts() : null;
    }
    return fs.hasPathCapability(target, CommonPathCapabilities.FS_CONCAT) && !isEncrypted(fs, target)
        ? new ConcatParts() : null;
  }

  /** HDFS refuses to concat in an encryption zone. */
  private static boolean isEncrypted(FileSystem fs, Path target) throws IOException {
    for (Path path = target; path != null; path = path.getParent()) {
      try {
        return fs.getFileStatus(path).isEncrypted();
      } catch (java.io.FileNotFoundException notYet) {
        // Its nearest existing ancestor decides.
      }
    }
    return false;
  }

  /** The smallest part, but a shard's last, that the store accepts. */
  public abstract long minPartBytes();

  /** Driver: starts the shard's upload, clearing what an earlier run left of one; returns its handle. */
  public abstract byte[] start(FileSystem fs, Path shard) throws IOException;

  /** Executor: opens part {@code index} (from 0) of the shard, under the upload {@code upload}. */
  public abstract PartOutput open(Configuration conf, byte[] upload, Path shard, int index, boolean last,
      long attemptId) throws IOException;

  /** Driver: makes the parts, given by their receipts in order, the shard. */
  public abstract void complete(FileSystem fs, byte[] upload, Path shard, List<byte[]> parts) throws IOException;

  /** Driver: drops an upload that will not be completed. */
  public abstract void abort(FileSystem fs, byte[] upload, Path shard) throws IOException;

  /** A part being written: it counts once committed, which returns its receipt; closing it uncommitted drops it. */
  public abstract static class PartOutput extends OutputStream {
    private final OutputStream out;
    private boolean committed;

    PartOutput(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
    }

    @Override
    public void write(byte[] bytes, int offset, int length) throws IOException {
      out.write(bytes, offset, length);
    }

    public final byte[] commit() throws IOException {
      out.close();
      byte[] receipt = store();
      committed = true;
      return receipt;
    }

    @Override
    public void close() throws IOException {
      if (!committed) {
        try {
          out.close();
        } finally {
          drop();
        }
      }
    }

    /** Makes the written bytes a part of the upload; returns its receipt. */
    abstract byte[] store() throws IOException;

    abstract void drop() throws IOException;
  }
}
