package io.chatvector.spark;

import io.chatvector.plan.InputFile;
import io.chatvector.plan.Segment;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.LongAccumulator;

/** The function Spark ships to executors: write one segment. Holds only small, serializable state. */
final class WriteSegmentFunction implements Function<Segment, SegmentResult> {
  private final List<InputFile> inputs;
  private final SerializableConfiguration conf;
  private final String writeDirectory;
  private final boolean positional;
  private final boolean renameAttempts;
  private final boolean allowNonFinite;
  private final LongAccumulator bytesWritten;

  WriteSegmentFunction(List<InputFile> inputs, SerializableConfiguration conf, String writeDirectory,
      boolean positional, boolean renameAttempts, boolean allowNonFinite, LongAccumulator bytesWritten) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.positional = positional;
    this.renameAttempts = renameAttempts;
    this.allowNonFinite = allowNonFinite;
    this.bytesWritten = bytesWritten;
  }

  @Override
  public SegmentResult call(Segment segment) throws Exception {
    SegmentWriteTask task = new SegmentWriteTask(inputs, conf.get(), new Path(writeDirectory), positional,
        renameAttempts, allowNonFinite);
    return task.write(segment, TaskContext.get().taskAttemptId(), bytesWritten::add);
  }
}
