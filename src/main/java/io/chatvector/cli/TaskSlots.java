package io.chatvector.cli;

import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;

/**
 * How many tasks the job's cluster runs at once, as its configuration tells before Spark starts (the plan is made
 * while Spark starts): the local master's threads, {@code spark.default.parallelism}, or executors times their cores.
 */
final class TaskSlots {
  private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\*|\\d+)(?:,\\d+)?])?");
  private static final Pattern LOCAL_CLUSTER = Pattern.compile("local-cluster\\[(\\d+),\\s*(\\d+),\\s*\\d+]");

  private TaskSlots() {
  }

  /** The number of task slots, or 0 when the configuration does not say. */
  static int of(SparkConf conf) {
    if (conf.contains("spark.default.parallelism")) {
      return conf.getInt("spark.default.parallelism", 0);
    }
    String master = conf.get("spark.master", "");
    Matcher local = LOCAL.matcher(master);
    if (local.matches()) {
      String threads = local.group(1);
      return threads == null ? 1
          : threads.equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(threads);
    }
    Matcher localCluster = LOCAL_CLUSTER.matcher(master);
    if (localCluster.matches()) {
      return Integer.parseInt(localCluster.group(1)) * Integer.parseInt(localCluster.group(2));
    }
    if (conf.contains("spark.executor.instances") && conf.contains("spark.executor.cores")) {
      return conf.getInt("spark.executor.instances", 0) * conf.getInt("spark.executor.cores", 0);
    }
    return 0;
  }
}
