package io.chatvector.spark;

import io.chatvector.Sizes;
import java.io.PrintWriter;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.spark.scheduler.AccumulableInfo;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerExecutorMetricsUpdate;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import scala.Tuple4;
import scala.collection.immutable.Seq;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Prints progress on long jobs: bytes written so far, from the byte accumulator that running tasks report with
 * their heartbeats, and tasks completed. At most one line every few seconds.
 */
final class ProgressListener extends SparkListener {
  static final String BYTES_WRITTEN = "chatvector.bytesWritten";
  private static final long MIN_INTERVAL_NANOS = 5_000_000_000L;

  private final PrintWriter out;
  private final long totalBytes;
  private final int totalTasks;
  private final long startNanos = System.nanoTime();
  private final Map<Long, Long> runningBytes = new ConcurrentHashMap<>();
  private long finishedBytes;
  private int finishedTasks;
  private long lastPrintNanos;

  ProgressListener(PrintWriter out, long totalBytes, int totalTasks) {
    this.out = out;
    this.totalBytes = totalBytes;
    this.totalTasks = totalTasks;
  }

  @Override
  public void onExecutorMetricsUpdate(SparkListenerExecutorMetricsUpdate update) {
    for (Tuple4<Object, Object, Object, Seq<AccumulableInfo>> task : CollectionConverters.asJava(update.accumUpdates())) {
      Long bytes = bytesIn(task._4());
      if (bytes != null) {
        runningBytes.put((Long) task._1(), bytes);
      }
    }
    print(false);
  }

  @Override
  public synchronized void onTaskEnd(SparkListenerTaskEnd end) {
    runningBytes.remove(end.taskInfo().taskId());
    if (end.taskInfo().successful()) {
      Long bytes = bytesIn(end.taskInfo().accumulables());
      finishedBytes += bytes == null ? 0 : bytes;
      finishedTasks++;
      print(true);
    }
  }

  private static Long bytesIn(scala.collection.Seq<AccumulableInfo> accumulables) {
    for (AccumulableInfo info : CollectionConverters.asJava(accumulables)) {
      if (info.name().isDefined() && info.name().get().equals(BYTES_WRITTEN) && info.update().isDefined()) {
        return ((Number) info.update().get()).longValue();
      }
    }
    return null;
  }

  private synchronized void print(boolean force) {
    long now = System.nanoTime();
    if (!force && now - lastPrintNanos < MIN_INTERVAL_NANOS) {
      return;
    }
    lastPrintNanos = now;
    long written = finishedBytes + runningBytes.values().stream().mapToLong(Long::longValue).sum();
    double seconds = (now - startNanos) / 1e9;
    out.printf("progress: %s of %s written (%.0f%%), %d of %d tasks, %.0f s, %s/s%n",
        Sizes.format(written), Sizes.format(totalBytes), totalBytes == 0 ? 100.0 : 100.0 * written / totalBytes,
        finishedTasks, totalTasks, seconds, Sizes.format((long) (written / Math.max(seconds, 1e-3))));
    out.flush();
  }
}
