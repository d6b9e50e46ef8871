package io.chatvector.cli;

import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** Who owns the Spark context: each command its own, or a caller that runs several commands on one. */
public interface SparkContexts {
  JavaSparkContext acquire(SparkConf conf);

  void release(JavaSparkContext context);

  /** A new context per command, stopped when the command ends. */
  static SparkContexts perCommand() {
    return new SparkContexts() {
      @Override
      public JavaSparkContext acquire(SparkConf conf) {
        return new JavaSparkContext(conf);
      }

      @Override
      public void release(JavaSparkContext context) {
        context.stop();
      }
    };
  }

  /** The caller's context, left running. */
  static SparkContexts shared(JavaSparkContext shared) {
    return new SparkContexts() {
      @Override
      public JavaSparkContext acquire(SparkConf conf) {
        return shared;
      }

      @Override
      public void release(JavaSparkContext context) {
      }
    };
  }
}
