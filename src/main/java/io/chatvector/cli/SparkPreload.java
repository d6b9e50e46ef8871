package io.chatvector.cli;

import java.util.Set;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.logging.log4j.LogManager;
import org.apache.spark.SparkConf;

/**
 * Does the JVM-wide set-up that starting Spark begins with (logging, Hadoop's user and configuration, Spark's
 * settings classes) on a spare core while the command line is parsed, so that Spark's start, the longest step
 * before a job, finds it done. Whatever this thread has not finished, Spark does as it would have anyway.
 */
final class SparkPreload {
  private static final Set<String> STARTING_SPARK = Set.of("demo", "extract", "merge", "sweep", "verify", "run");

  private SparkPreload() {
  }

  static void startFor(String[] args) {
    if (args.length > 0 && STARTING_SPARK.contains(args[0])) {
      Thread thread = new Thread(SparkPreload::load, "chatvector-spark-preload");
      thread.setDaemon(true);
      thread.start();
    }
  }

  private static void load() {
    try {
      LogManager.getContext(false);
      UserGroupInformation.getCurrentUser();
      new SparkConf();
    } catch (Exception | LinkageError e) {
      // Only a head start: Spark meets the same problem, if it is one, and reports it.
    }
  }
}
