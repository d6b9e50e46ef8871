package io.chatvector.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;
import scala.runtime.AbstractFunction2;
import scala.runtime.BoxedUnit;

/**
 * A Spark job over a list of items that returns its results in the items' order. It goes through
 * {@code SparkContext.runJob} with a plain function class rather than {@code map}, {@code filter} and
 * {@code collect}: Spark's closure cleaner reads the class files of lambdas (its own included) to analyse them, which
 * took a quarter of a second of a job's start here and much of the JIT's time. The job is named, so Spark does not
 * walk the stack for a call site at each step either.
 */
final class ItemJob {
  private static final String CALL_SITE_SHORT = "callSite.short";
  private static final String CALL_SITE_LONG = "callSite.long";

  private ItemJob() {
  }

  /** Applied to the items of one partition together, e.g. to open the inputs once for all of them. */
  interface PartitionFunction<T, R> extends Serializable {
    List<R> apply(Iterator<T> items) throws Exception;
  }

  /** Makes the job's function from the Hadoop configuration, which travels with the function to each task. */
  interface WithConf<F> {
    F function(SerializableConfiguration conf);
  }

  /** Told of each item's result as its task succeeds, on Spark's scheduler thread: it must only hand work on. */
  interface ResultListener<R> {
    void succeeded(int item, R result);
  }

  /** {@code function} of each item, in the items' order. */
  static <T, R> List<R> map(JavaSparkContext spark, Configuration conf, String description, List<T> items,
      int partitions, WithConf<Function<T, R>> function) {
    return map(spark, conf, description, items, partitions, function, (item, result) -> { });
  }

  /** {@code function} of each item, in the items' order; {@code listener} hears of each as it is done. */
  static <T, R> List<R> map(JavaSparkContext spark, Configuration conf, String description, List<T> items,
      int partitions, WithConf<Function<T, R>> function, ResultListener<R> listener) {
    return run(spark, conf, description, items, partitions, taskConf -> new EachItem<>(function.function(taskConf)),
        listener);
  }

  /** The results of {@code function} on each partition, concatenated in the items' order. */
  static <T, R> List<R> run(JavaSparkContext spark, Configuration conf, String description, List<T> items,
      int partitions, WithConf<PartitionFunction<T, R>> function) {
    return run(spark, conf, description, items, partitions, function, (item, result) -> { });
  }

  private static <T, R> List<R> run(JavaSparkContext spark, Configuration conf, String description, List<T> items,
      int partitions, WithConf<PartitionFunction<T, R>> function, ResultListener<R> listener) {
    spark.setJobDescription(description);
    spark.setLocalProperty(CALL_SITE_SHORT, description);
    spark.setLocalProperty(CALL_SITE_LONG, description);
    try {
      RDD<T> rdd = new ItemRdd<>(spark.sc(), items, partitions);
      int count = rdd.getNumPartitions();
      List<List<R>> results = new ArrayList<>(Collections.nCopies(count, null));
      // The configuration goes in the task's function, which Spark broadcasts once per job: a broadcast of its own
      // would be estimated for size object by object, which took longer than serializing it.
      @SuppressWarnings("unchecked")
      ClassTag<List<R>> resultType = (ClassTag<List<R>>) (Object) ClassTag$.MODULE$.apply(List.class);
      spark.sc().runJob(rdd, new OnPartition<T, R>(function.function(new SerializableConfiguration(conf))),
          new ResultHandler<R>(results, items.size(), listener), resultType);
      List<R> all = new ArrayList<>(items.size());
      results.forEach(all::addAll);
      return all;
    } catch (Throwable e) {
      // Spark's failures are checked exceptions that Scala throws undeclared: catch everything.
      awaitCancelledTasks(spark);
      throw e;
    } finally {
      spark.clearCallSite();
    }
  }

  /**
   * A failed job returns while its other tasks are still being cancelled; one of them may still be writing, and
   * would write into an output its caller is about to remove. Waits (a minute at most) until none runs.
   */
  private static void awaitCancelledTasks(JavaSparkContext spark) {
    long giveUp = System.nanoTime() + 60_000_000_000L;
    while (System.nanoTime() < giveUp && Arrays.stream(spark.sc().statusTracker().getExecutorInfos())
        .anyMatch(executor -> executor.numRunningTasks() > 0)) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException interrupted) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** Keeps each partition's results, and tells the listener of each item's. */
  private static final class ResultHandler<R> extends AbstractFunction2<Object, List<R>, BoxedUnit> {
    private final List<List<R>> results;
    private final int items;
    private final ResultListener<R> listener;

    ResultHandler(List<List<R>> results, int items, ResultListener<R> listener) {
      this.results = results;
      this.items = items;
      this.listener = listener;
    }

    @Override
    public BoxedUnit apply(Object partition, List<R> partitionResults) {
      int slice = (Integer) partition;
      results.set(slice, partitionResults);
      int first = ItemRdd.firstItem(slice, items, results.size());
      for (int item = 0; item < partitionResults.size(); item++) {
        listener.succeeded(first + item, partitionResults.get(item));
      }
      return BoxedUnit.UNIT;
    }
  }

  private static final class EachItem<T, R> implements PartitionFunction<T, R> {
    private final Function<T, R> function;

    EachItem(Function<T, R> function) {
      this.function = function;
    }

    @Override
    public List<R> apply(Iterator<T> items) throws Exception {
      List<R> results = new ArrayList<>(1);
      while (items.hasNext()) {
        results.add(function.call(items.next()));
      }
      return results;
    }
  }

  private static final class OnPartition<T, R>
      extends AbstractFunction2<TaskContext, scala.collection.Iterator<T>, List<R>> implements Serializable {
    private final PartitionFunction<T, R> function;

    OnPartition(PartitionFunction<T, R> function) {
      this.function = function;
    }

    @Override
    public List<R> apply(TaskContext context, scala.collection.Iterator<T> items) {
      try {
        return function.apply(CollectionConverters.asJava(items));
      } catch (Exception e) {
        throw ItemJob.<RuntimeException>undeclared(e);
      }
    }
  }

  /** Rethrows as it was thrown, as Spark's own wrappers of Java functions do (Scala declares no exceptions). */
  @SuppressWarnings("unchecked")
  private static <E extends Exception> E undeclared(Exception e) throws E {
    throw (E) e;
  }
}
