package io.chatvector.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.Dependency;
import org.apache.spark.Partition;
import org.apache.spark.SparkContext;
import org.apache.spark.TaskContext;
import org.apache.spark.rdd.RDD;
import scala.collection.immutable.Nil$;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * A job's items cut into consecutive partitions, each partition carrying its own items, as {@code parallelize}
 * does. Spark records an operation scope as JSON for {@code parallelize}, and again for every RDD when a job ends
 * (in {@code doCheckpoint}); starting Jackson's Scala module for that took a tenth of a second here, on the way
 * to the job and back. This RDD records none.
 */
final class ItemRdd<T> extends RDD<T> {
  private final transient Partition[] slices;

  @SuppressWarnings("unchecked")
  ItemRdd(SparkContext spark, List<T> items, int partitions) {
    super(spark, (scala.collection.immutable.Seq<Dependency<?>>) (Object) Nil$.MODULE$,
        ClassTag$.MODULE$.apply(Object.class));
    int count = Math.max(1, partitions);
    slices = new Partition[count];
    for (int slice = 0; slice < count; slice++) {
      slices[slice] = new Slice<>(slice, new ArrayList<>(items.subList(firstItem(slice, items.size(), count),
          firstItem(slice + 1, items.size(), count))));
    }
  }

  /** The index of the first item in partition {@code slice} of {@code partitions}, as {@code parallelize} cuts. */
  static int firstItem(int slice, int items, int partitions) {
    return (int) ((long) slice * items / Math.max(1, partitions));
  }

  /** Nothing to do: this RDD is never checkpointed (nobody outside {@link ItemJob} sees it). */
  @Override
  public void doCheckpoint() {
  }

  @Override
  public Partition[] getPartitions() {
    return slices;
  }

  @Override
  @SuppressWarnings("unchecked")
  public scala.collection.Iterator<T> compute(Partition partition, TaskContext context) {
    return CollectionConverters.asScala(((Slice<T>) partition).items.iterator());
  }

  private static final class Slice<T> implements Partition, Serializable {
    private final int index;
    private final ArrayList<T> items;

    Slice(int index, ArrayList<T> items) {
      this.index = index;
      this.items = items;
    }

    @Override
    public int index() {
      return index;
    }

    @Override
    public int hashCode() {
      return index;
    }

    @Override
    public boolean equals(Object other) {
      return this == other;
    }
  }
}
