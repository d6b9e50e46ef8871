package io.chatvector;

import io.chatvector.cli.Main;
import io.chatvector.cli.SparkContexts;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.apache.spark.api.java.JavaSparkContext;

/** Runs the command line in-process on a shared Spark context and captures what it prints. */
public final class ChatVectorCli {
  private final JavaSparkContext spark;

  public ChatVectorCli(JavaSparkContext spark) {
    this.spark = spark;
  }

  public record Result(int code, String out, String err) {
    @Override
    public String toString() {
      return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  public Result run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Main.run(args, new PrintWriter(out, true), new PrintWriter(err, true),
        spark == null ? SparkContexts.perCommand() : SparkContexts.shared(spark));
    return new Result(code, out.toString(), err.toString());
  }
}
