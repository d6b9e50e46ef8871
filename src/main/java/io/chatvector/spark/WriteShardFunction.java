package io.chatvector.spark;

import io.chatvector.plan.InputFile;
import io.chatvector.plan.ShardPlan;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/** The function Spark ships to executors: write one shard. Holds only small, serializable state. */
final class WriteShardFunction implements Function<ShardPlan, ShardResult> {
  private final List<InputFile> inputs;
  private final Broadcast<SerializableConfiguration> conf;
  private final String writeDirectory;
  private final boolean renameAttempts;
  private final boolean allowNonFinite;
  private final LongAccumulator bytesWritten;

  WriteShardFunction(List<InputFile> inputs, Broadcast<SerializableConfiguration> conf, String writeDirectory,
      boolean renameAttempts, boolean allowNonFinite, LongAccumulator bytesWritten) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.renameAttempts = renameAttempts;
    this.allowNonFinite = allowNonFinite;
    this.bytesWritten = bytesWritten;
  }

  @Override
  public ShardResult call(ShardPlan shard) throws Exception {
    ShardWriteTask task = new ShardWriteTask(inputs, conf.value().get(), new Path(writeDirectory), renameAttempts,
        allowNonFinite);
    return task.write(shard, TaskContext.get().taskAttemptId(), bytesWritten::add);
  }
}
