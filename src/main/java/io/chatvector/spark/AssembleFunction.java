package io.chatvector.spark;

import io.chatvector.io.OutputDirectory;
import io.chatvector.io.Storage;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.ShardPlan;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;

/**
 * The final stage of a sweep on stores that cannot be written at positions: one task per shard streams its header
 * and its parts, in order, into the shard file (under a per-attempt name renamed into place where rename is atomic).
 */
final class AssembleFunction implements Function<AssembleFunction.Shard, String> {
  /** A shard to assemble: its file, header, and part files in offset order. */
  record Shard(String file, boolean renameAttempts, byte[] header, List<String> parts, long bytes)
      implements Serializable {
  }

  private final SerializableConfiguration conf;

  AssembleFunction(SerializableConfiguration conf) {
    this.conf = conf;
  }

  static List<Shard> shards(MergePlan plan, OutputDirectory output, List<SweepGroupTask.Written> written) {
    List<Shard> shards = new ArrayList<>();
    for (ShardPlan shard : plan.shards()) {
      List<String> parts = written.stream().filter(run -> run.range().shard() == shard.index())
          .sorted(Comparator.comparingLong(run -> run.range().offset())).map(SweepGroupTask.Written::partFile).toList();
      shards.add(new Shard(new Path(output.writeDirectory(), shard.fileName()).toString(),
          output.renamesShardAttempts(), shard.header(), parts, shard.fileLength()));
    }
    return shards;
  }

  /** Returns the shard's file once assembled. */
  @Override
  public String call(Shard shard) throws IOException {
    Path target = new Path(shard.file());
    FileSystem fs = Storage.fileSystem(target, conf.get());
    Path attempt = shard.renameAttempts()
        ? new Path(target.getParent(), "." + target.getName() + ".attempt-" + TaskContext.get().taskAttemptId())
        : target;
    try (OutputStream out = fs.create(attempt, true)) {
      out.write(shard.header());
      for (String part : shard.parts()) {
        try (InputStream in = fs.open(new Path(part))) {
          in.transferTo(out);
        }
      }
    }
    long length = fs.getFileStatus(attempt).getLen();
    if (length != shard.bytes()) {
      fs.delete(attempt, false);
      throw new IOException(target + ": assembled " + length + " bytes, planned " + shard.bytes());
    }
    if (shard.renameAttempts() && !fs.rename(attempt, target)) {
      fs.delete(attempt, false);
    }
    return shard.file();
  }
}
