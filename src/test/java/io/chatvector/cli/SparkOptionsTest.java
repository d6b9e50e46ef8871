package io.chatvector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.spark.UnservedMetricsServlet;
import java.util.List;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;

/** The settings a command gives Spark when the user gives none. */
class SparkOptionsTest {
  @Test
  void aLocalDriverHasNoWebUiAndNoServletHandlers() {
    SparkConf conf = options().sparkConf("test");

    assertEquals("local[*]", conf.get("spark.master"));
    assertEquals("false", conf.get("spark.ui.enabled"));
    assertEquals(UnservedMetricsServlet.class.getName(), conf.get(UnservedMetricsServlet.DRIVER_SERVLET_CLASS));
    JavaSparkContext spark = new JavaSparkContext(conf.setMaster("local[1]"));
    try {
      assertEquals(0, spark.sc().env().metricsSystem().getServletHandlers().length);
      assertEquals(3L, spark.parallelize(List.of(1, 2, 3)).count());
    } finally {
      spark.stop();
    }
  }

  @Test
  void aDriverWithItsWebUiKeepsSparksMetricsServlet() {
    SparkOptions localWithUi = options("spark.ui.enabled", "true");
    SparkOptions cluster = options();
    cluster.master = "spark://127.0.0.1:7077";

    assertFalse(localWithUi.sparkConf("test").contains(UnservedMetricsServlet.DRIVER_SERVLET_CLASS));
    assertFalse(cluster.sparkConf("test").contains(UnservedMetricsServlet.DRIVER_SERVLET_CLASS));
  }

  @Test
  void theUsersSettingsWin() {
    String sparksServlet = "org.apache.spark.metrics.sink.MetricsServlet";
    SparkConf conf = options(UnservedMetricsServlet.DRIVER_SERVLET_CLASS, sparksServlet,
        "spark.broadcast.compress", "true").sparkConf("test");

    assertEquals(sparksServlet, conf.get(UnservedMetricsServlet.DRIVER_SERVLET_CLASS));
    assertTrue(conf.getBoolean("spark.broadcast.compress", false));
  }

  private static SparkOptions options(String... settings) {
    SparkOptions options = new SparkOptions();
    for (int i = 0; i < settings.length; i += 2) {
      options.conf.put(settings[i], settings[i + 1]);
    }
    return options;
  }
}
