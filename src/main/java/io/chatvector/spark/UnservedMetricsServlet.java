package io.chatvector.spark;

import com.codahale.metrics.MetricRegistry;
import java.util.Properties;
import org.apache.spark.SparkConf;
import org.apache.spark.metrics.sink.MetricsServlet;
import org.sparkproject.jetty.ee10.servlet.ServletContextHandler;

/**
 * Spark's metrics servlet for a driver without a web UI, where nothing could serve it. Spark builds the servlet's
 * Jetty handler anyway, and Jetty's first handler lists every locale of the JVM: measured on a 1B merge here, the
 * context took 0.25 s longer to start. This one has no handler; its metrics stay available to every other sink.
 */
public final class UnservedMetricsServlet extends MetricsServlet {
  /** The Spark setting that names the driver's metrics servlet. */
  public static final String DRIVER_SERVLET_CLASS = "spark.metrics.conf.driver.sink.servlet.class";

  public UnservedMetricsServlet(Properties properties, MetricRegistry registry) {
    super(properties, registry);
  }

  @Override
  public ServletContextHandler[] getHandlers(SparkConf conf) {
    return new ServletContextHandler[0];
  }
}
