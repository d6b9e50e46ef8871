package io.chatvector.cli;

import java.io.File;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Run a small example from start to end: synth, extract, merge, inspect.",
        "Generates a small Llama-shaped family, extracts its chat vector, merges it into the CP model (keeping "
            + "the CP's larger embeddings, as the paper did) and inspects the result."})
final class DemoCommand implements Callable<Integer> {
  @Option(names = "--dir", defaultValue = "target/chatvector-demo", paramLabel = "DIR",
      description = "Working directory (default: ${DEFAULT-VALUE}); replaced on every run.")
  String dir;

  @Mixin
  SparkOptions spark;

  @Spec
  CommandSpec spec;

  @ParentCommand
  ChatVectorCommand chatvector;

  @Override
  public Integer call() {
    String root = new File(dir).getAbsolutePath();
    JavaSparkContext context = chatvector.contexts.acquire(spark.sparkConf("demo"));
    SparkContexts shared = SparkContexts.shared(context);
    try {
      int code = step(shared, "synth", "--out", root, "--layers", "4", "--hidden", "256", "--intermediate", "688",
          "--vocab", "2048", "--extra-vocab", "128");
      code = code != 0 ? code : step(shared, "extract", "--base", root + "/base", "--chat", root + "/chat",
          "--out", root + "/vector", "--overwrite");
      code = code != 0 ? code : step(shared, "merge", "--cp", root + "/cp", "--vector", root + "/vector:1.0",
          "--embeddings", "skip", "--out", root + "/merged", "--max-shard-size", "4MB", "--overwrite");
      code = code != 0 ? code : step(shared, "inspect", root + "/merged");
      return code;
    } finally {
      chatvector.contexts.release(context);
    }
  }

  /** One step as its own command line, on the demo's Spark context. */
  private int step(SparkContexts shared, String... args) {
    PrintWriter out = spec.commandLine().getOut();
    out.printf("%n$ chatvector %s%n", String.join(" ", args));
    out.flush();
    return Main.run(args, out, spec.commandLine().getErr(), shared);
  }
}
