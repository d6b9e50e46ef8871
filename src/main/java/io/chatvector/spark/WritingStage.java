package io.chatvector.spark;

import java.io.PrintWriter;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.LongAccumulator;

/**
 * A Spark stage of tasks that write output: one task per piece of work, the Hadoop configuration broadcast and
 * progress shown for as long as the stage runs.
 */
final class WritingStage {
  private WritingStage() {
  }

  /** Makes the function shipped to executors from the stage's configuration and its bytes-written counter. */
  interface Tasks<T, R> {
    Function<T, R> function(Broadcast<SerializableConfiguration> conf, LongAccumulator bytesWritten);
  }

  static <T, R> List<R> run(JavaSparkContext spark, Configuration conf, String description, List<T> work,
      long totalBytes, PrintWriter progress, Tasks<T, R> tasks) {
    if (work.isEmpty()) {
      return List.of();
    }
    LongAccumulator bytesWritten = spark.sc().longAccumulator(ProgressListener.BYTES_WRITTEN);
    Broadcast<SerializableConfiguration> broadcastConf = spark.broadcast(new SerializableConfiguration(conf));
    ProgressListener listener = new ProgressListener(progress, totalBytes, work.size());
    spark.sc().addSparkListener(listener);
    try {
      return ItemJob.map(spark, description, work, work.size(), tasks.function(broadcastConf, bytesWritten));
    } catch (Throwable e) {
      // Spark's failures are checked exceptions that Scala throws undeclared: catch everything.
      awaitCancelledTasks(spark);
      throw e;
    } finally {
      spark.sc().removeSparkListener(listener);
      broadcastConf.destroy();
    }
  }

  /**
   * A failed job returns while its other tasks are still being cancelled; one of them may still be writing, and
   * would write into an output its caller is about to remove. Waits (a minute at most) until none runs.
   */
  private static void awaitCancelledTasks(JavaSparkContext spark) {
    long giveUp = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < giveUp && java.util.Arrays.stream(spark.sc().statusTracker().getExecutorInfos())
        .anyMatch(executor -> executor.numRunningTasks() > 0)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
