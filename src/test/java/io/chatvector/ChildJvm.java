package io.chatvector;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the command line in a JVM of its own (a chosen heap, a process to kill), on the test classpath. */
public final class ChildJvm {
  private ChildJvm() {
  }

  public record Outcome(int code, String output) {
  }

  public static ProcessBuilder command(String heap, Path log, String... args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.addAll(Arrays.asList(System.getProperty("jvm.module.flags", "").trim().split("\\s+")));
    command.add("-Dlog4j2.configurationFile=" + new File("conf/log4j2.properties").getAbsolutePath());
    command.add("-cp");
    command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
    command.add("io.chatvector.cli.Main");
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    // Spark's scratch directories beside the log, in the test's own directory: a killed JVM cannot delete them.
    builder.environment().put("SPARK_LOCAL_DIRS", log.resolveSibling("spark-local").toString());
    return builder;
  }

  public static Outcome run(String heap, Path log, long timeoutSeconds, String... args)
      throws IOException, InterruptedException {
    Process process = command(heap, log, args).start();
    try {
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        throw new AssertionError("chatvector " + String.join(" ", args) + " did not finish in " + timeoutSeconds
            + " s:\n" + Files.readString(log));
      }
      return new Outcome(process.exitValue(), Files.readString(log));
    } finally {
      process.destroyForcibly();
    }
  }
}
