package io.chatvector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.chatvector.ChatVectorCli.Result;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;

/** A local[2] Spark context for a test class, and the command line run on it with an expected exit code. */
public final class LocalSparkCli implements AutoCloseable {
  private final JavaSparkContext spark;
  private final ChatVectorCli cli;

  private LocalSparkCli(String name) {
    spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(name)
        .set("spark.ui.enabled", "false"));
    cli = new ChatVectorCli(spark);
  }

  public static LocalSparkCli start(Class<?> testClass) {
    return new LocalSparkCli(testClass.getSimpleName());
  }

  /** Runs a command line and checks its exit code, showing everything it printed when that is not as expected. */
  public Result run(int expectedCode, String... args) {
    Result result = cli.run(args);
    assertEquals(expectedCode, result.code(), result::toString);
    return result;
  }

  @Override
  public void close() {
    spark.stop();
  }
}
