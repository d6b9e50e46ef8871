package io.chatvector.io;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Parts as hidden files beside the shard, joined by the file system's concat (on HDFS a name node operation: no
 * byte is copied). HDFS concats only files of one directory. Each task attempt writes under its own name and
 * renames into the part's; attempts of a part write the same bytes.
 */
final class ConcatParts extends ShardParts {
  private static final long serialVersionUID = 1L;

  @Override
  public long minPartBytes() {
    // HDFS concat refuses empty sources.
    return 1;
  }

  @Override
  public byte[] start(FileSystem fs, Path shard) throws IOException {
    fs.delete(shard, false);
    deleteParts(fs, shard);
    return new byte[0];
  }

  @Override
  public PartOutput open(Configuration conf, byte[] upload, Path shard, int index, boolean last, long attemptId)
      throws IOException {
    FileSystem fs = Storage.fileSystem(shard, conf);
    Path part = new Path(shard.getParent(), partPrefix(shard) + index);
    Path attempt = new Path(shard.getParent(), part.getName() + ".attempt-" + attemptId);
    return new PartOutput(fs.create(attempt, true)) {
      @Override
      byte[] store() throws IOException {
        // Another attempt of this part may have got there first, with the same bytes, and its shard may even be
        // joined already (its part gone): this one is then left out.
        if (fs.exists(shard) || !fs.rename(attempt, part)) {
          fs.delete(attempt, false);
        }
        return part.toString().getBytes(StandardCharsets.UTF_8);
      }

      @Override
      void drop() throws IOException {
        fs.delete(attempt, false);
      }
    };
  }

  @Override
  public void complete(FileSystem fs, byte[] upload, Path shard, List<byte[]> parts) throws IOException {
    Path[] paths = parts.stream().map(part -> new Path(new String(part, StandardCharsets.UTF_8))).toArray(Path[]::new);
    if (paths.length > 1) {
      fs.concat(paths[0], Arrays.copyOfRange(paths, 1, paths.length));
    }
    if (!fs.rename(paths[0], shard)) {
      throw new IOException("Cannot rename " + paths[0] + " to " + shard);
    }
    deleteParts(fs, shard);
  }

  @Override
  public void abort(FileSystem fs, byte[] upload, Path shard) throws IOException {
    deleteParts(fs, shard);
  }

  /** Parts and attempts of the shard, from this run or a killed one. */
  private static void deleteParts(FileSystem fs, Path shard) throws IOException {
    String prefix = partPrefix(shard);
    FileStatus[] left;
    try {
      left = fs.listStatus(shard.getParent(), path -> path.getName().startsWith(prefix));
    } catch (FileNotFoundException noDirectoryYet) {
      return;
    }
    for (FileStatus part : left) {
      fs.delete(part.getPath(), false);
    }
  }

  private static String partPrefix(Path shard) {
    return "." + shard.getName() + ".part-";
  }
}
