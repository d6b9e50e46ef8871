package io.chatvector.spark;

import java.io.PrintWriter;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.LongAccumulator;

/**
 * A Spark stage of tasks that write output: one task per piece of work, progress shown for as long as the stage
 * runs.
 */
final class WritingStage {
  private WritingStage() {
  }

  /** Makes the function shipped to executors from the stage's configuration and its bytes-written counter. */
  interface Tasks<T, R> {
    Function<T, R> function(SerializableConfiguration conf, LongAccumulator bytesWritten);
  }

  static <T, R> List<R> run(JavaSparkContext spark, Configuration conf, String description, List<T> work,
      long totalBytes, PrintWriter progress, Tasks<T, R> tasks) {
    return run(spark, conf, description, work, totalBytes, progress, tasks, (item, result) -> { });
  }

  /** As above; {@code onDone} hears of each piece of work as its task succeeds. */
  static <T, R> List<R> run(JavaSparkContext spark, Configuration conf, String description, List<T> work,
      long totalBytes, PrintWriter progress, Tasks<T, R> tasks, ItemJob.ResultListener<R> onDone) {
    if (work.isEmpty()) {
      return List.of();
    }
    LongAccumulator bytesWritten = spark.sc().longAccumulator(ProgressListener.BYTES_WRITTEN);
    ProgressListener listener = new ProgressListener(progress, totalBytes, work.size());
    spark.sc().addSparkListener(listener);
    try {
      return ItemJob.map(spark, conf, description, work, work.size(),
          taskConf -> tasks.function(taskConf, bytesWritten), onDone);
    } finally {
      spark.sc().removeSparkListener(listener);
    }
  }
}
