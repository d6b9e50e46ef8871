package io.chatvector.spark;

import java.io.PrintWriter;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.rdd.RDD;
import org.apache.spark.util.LongAccumulator;
import scala.collection.Iterator;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;

/**
 * A Spark stage of tasks that write output: one task per piece of work, the Hadoop configuration broadcast and
 * progress shown for as long as the stage runs.
 */
final class WritingStage {
  private WritingStage() {
  }

  private static final String CALL_SITE_SHORT = "callSite.short";
  private static final String CALL_SITE_LONG = "callSite.long";

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
      spark.setJobDescription(description);
      // Named here, Spark does not walk the stack for a call site at each step.
      spark.setLocalProperty(CALL_SITE_SHORT, description);
      spark.setLocalProperty(CALL_SITE_LONG, description);
      RDD<T> items = spark.parallelize(work, work.size()).rdd();
      Object[] results = (Object[]) spark.sc().runJob(items,
          new EachItem<>(tasks.function(broadcastConf, bytesWritten)), ClassTag$.MODULE$.apply(List.class));
      List<R> all = new ArrayList<>(work.size());
      for (Object partition : results) {
        @SuppressWarnings("unchecked")
        List<R> partitionResults = (List<R>) partition;
        all.addAll(partitionResults);
      }
      return all;
    } catch (Throwable e) {
      // Spark's failures are checked exceptions that Scala throws undeclared: catch everything.
      awaitCancelledTasks(spark);
      throw e;
    } finally {
      spark.clearCallSite();
      spark.sc().removeSparkListener(listener);
      broadcastConf.destroy();
    }
  }

  /**
   * Applies a function to each item of a partition. A plain class, not a lambda: Spark's closure cleaner reads the
   * class files of lambdas (its own map and collect ones too) to analyse them, which took a quarter of a second of
   * every job's start here and much of the JIT's time.
   */
  private static final class EachItem<T, R> extends AbstractFunction2<TaskContext, Iterator<T>, List<R>>
      implements Serializable {
    private final Function<T, R> function;

    EachItem(Function<T, R> function) {
      this.function = function;
    }

    @Override
    public List<R> apply(TaskContext context, Iterator<T> items) {
      List<R> results = new ArrayList<>(1);
      while (items.hasNext()) {
        try {
          results.add(function.call(items.next()));
        } catch (Exception e) {
          throw WritingStage.<RuntimeException>undeclared(e);
        }
      }
      return results;
    }
  }

  /** Rethrows as it was thrown, as Spark's own wrappers of Java functions do (Scala declares no exceptions). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E undeclared(Exception e) throws E {
    throw (E) e;
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
