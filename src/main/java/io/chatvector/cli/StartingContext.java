package io.chatvector.cli;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * A Spark context being acquired on a daemon thread, so that Spark starts while the driver reads headers and plans
 * (each takes about a second; measured here, doing both at once saves most of the shorter). Closing it waits for the
 * start to end and releases the context, whether or not the command got as far as using it.
 */
final class StartingContext implements AutoCloseable {
  private final SparkContexts contexts;
  private final CompletableFuture<JavaSparkContext> context;

  private StartingContext(SparkContexts contexts, SparkConf conf) {
    this.contexts = contexts;
    this.context = CompletableFuture.supplyAsync(() -> contexts.acquire(conf), work -> {
      Thread thread = new Thread(work, "chatvector-spark-start");
      thread.setDaemon(true);
      thread.start();
    });
  }

  static StartingContext start(SparkContexts contexts, SparkConf conf) {
    return new StartingContext(contexts, conf);
  }

  /** The context, once started; a failure to start is thrown as it was thrown. */
  JavaSparkContext get() throws Exception {
    try {
      return context.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Override
  public void close() {
    JavaSparkContext started = context.exceptionally(failed -> null).join();
    if (started != null) {
      contexts.release(started);
    }
  }
}
