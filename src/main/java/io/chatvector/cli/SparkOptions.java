package io.chatvector.cli;

import io.chatvector.spark.UnservedMetricsServlet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Option;

/** Where the job runs and the Spark/Hadoop settings it gets; under spark-submit, its settings apply too. */
final class SparkOptions {
  @Option(names = "--master", paramLabel = "URL",
      description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  @Option(names = "--conf", paramLabel = "KEY=VALUE",
      description = "A Spark setting; spark.hadoop.* settings reach the Hadoop file systems (HDFS, S3).")
  Map<String, String> conf = new LinkedHashMap<>();

  SparkConf sparkConf(String appName) {
    SparkConf sparkConf = new SparkConf().setAppName("chatvector " + appName);
    conf.forEach(sparkConf::set);
    if (master != null) {
      sparkConf.setMaster(master);
    }
    sparkConf.setIfMissing("spark.master", "local[*]");
    if (sparkConf.get("spark.master").startsWith("local")) {
      sparkConf.setIfMissing("spark.ui.enabled", "false");
    }
    if (!sparkConf.getBoolean("spark.ui.enabled", true)) {
      sparkConf.setIfMissing(UnservedMetricsServlet.DRIVER_SERVLET_CLASS, UnservedMetricsServlet.class.getName());
    }
    sparkConf.setIfMissing("spark.ui.showConsoleProgress", "false");
    // A job's only broadcast is its tasks' function (tens of KB): compressing it cost more than it saved (lz4's start).
    sparkConf.setIfMissing("spark.broadcast.compress", "false");
    return sparkConf;
  }

  /** Hadoop settings as Spark would make them, available before (and without) starting Spark. */
  Configuration hadoopConf(String appName) {
    Configuration hadoop = new Configuration();
    for (scala.Tuple2<String, String> entry : sparkConf(appName).getAllWithPrefix("spark.hadoop.")) {
      hadoop.set(entry._1(), entry._2());
    }
    return hadoop;
  }
}
