package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli;
import io.chatvector.ChatVectorCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Executors in separate JVMs (Spark's local-cluster: two workers of one core), speculative execution on:
 * outputs are byte-identical to local mode, also when an executor process is killed in the middle of a job.
 */
class ClusterTest {
  @TempDir
  static Path root;
  private static JavaSparkContext spark;
  private static ChatVectorCli cli;

  @BeforeAll
  static void start() throws IOException {
    // References first, in local mode: one SparkContext per JVM at a time.
    try (JavaSparkContext local = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("reference")
        .set("spark.ui.enabled", "false"))) {
      ChatVectorCli localCli = new ChatVectorCli(local);
      run(localCli, "synth", "--out", path("family"), "--layers", "4", "--hidden", "256", "--intermediate", "688",
          "--vocab", "4096", "--extra-vocab", "64", "--seed", "6");
      for (String[] job : jobs("local")) {
        run(localCli, job);
      }
    }
    Files.createDirectories(Path.of(System.getenv("SPARK_HOME"), "jars"));
    spark = new JavaSparkContext(new SparkConf().setMaster("local-cluster[2,1,1024]").setAppName("ClusterTest")
        .set("spark.ui.enabled", "false")
        .set("spark.executor.extraClassPath", System.getProperty("surefire.test.class.path"))
        // The executor killed below cannot remove its temporary files (lz4's native library among them).
        .set("spark.executor.extraJavaOptions", "-Djava.io.tmpdir=" + root)
        .set("spark.speculation", "true")
        .set("spark.speculation.interval", "100ms")
        .set("spark.speculation.multiplier", "1.0")
        .set("spark.speculation.quantile", "0.25")
        .set("spark.speculation.minTaskRuntime", "0ms"));
    cli = new ChatVectorCli(spark);
  }

  @AfterAll
  static void stop() {
    if (spark != null) {
      spark.stop();
    }
  }

  private static String path(String name) {
    return root.resolve(name).toString();
  }

  private static Result run(ChatVectorCli on, String... args) {
    Result result = on.run(args);
    assertEquals(0, result.code(), result::toString);
    return result;
  }

  /** The jobs compared between modes, writing under {@code prefix}. */
  private static String[][] jobs(String prefix) {
    String family = path("family");
    return new String[][] {
        {"extract", "--base", family + "/base", "--chat", family + "/chat", "--out",
            path(prefix + "-vector"), "--chunk-size", "64KB", "--segment-size", "256KB"},
        {"merge", "--cp", family + "/cp", "--vector", path(prefix + "-vector") + ":0.5", "--embeddings",
            "overlap", "--max-shard-size", "2MB", "--chunk-size", "64KB", "--segment-size", "256KB", "--out",
            path(prefix + "-merged")},
        {"sweep", "--cp", family + "/cp", "--base", family + "/base", "--chat", family + "/chat",
            "--ratio", "0.5", "--ratio", "1.0", "--embeddings", "skip", "--chunk-size", "64KB", "--segment-size",
            "256KB", "--out-root", path(prefix + "-sweep")}};
  }

  private static void assertSameShards(Path expected, Path actual) throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.walk(expected)) {
      files = list.filter(p -> p.toString().endsWith(".safetensors") || p.toString().endsWith("index.json"))
          .map(p -> expected.relativize(p).toString()).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)), file);
    }
  }

  @Test
  void extractMergeAndSweepOnSeparateExecutorsEqualLocalMode() throws IOException {
    for (String[] job : jobs("cluster")) {
      run(cli, job);
    }
    for (String output : List.of("vector", "merged", "sweep")) {
      assertSameShards(root.resolve("local-" + output), root.resolve("cluster-" + output));
    }
  }

  @Test
  void anExecutorKilledMidJobChangesNothing() throws Exception {
    CompletableFuture<Void> firstTaskDone = new CompletableFuture<>();
    SparkListener listener = new SparkListener() {
      @Override
      public void onTaskEnd(SparkListenerTaskEnd end) {
        firstTaskDone.complete(null);
      }
    };
    spark.sc().addSparkListener(listener);
    try {
      String[] merge = jobs("killed")[1].clone();
      merge[4] = path("local-vector") + ":0.5";
      CompletableFuture<Result> job = CompletableFuture.supplyAsync(() -> cli.run(merge));
      firstTaskDone.get(120, TimeUnit.SECONDS);
      ProcessHandle executor = executors().findFirst().orElseThrow(() -> new AssertionError("no executor process"));
      executor.destroyForcibly();
      executor.onExit().get(30, TimeUnit.SECONDS);
      Result result = job.get(300, TimeUnit.SECONDS);
      assertEquals(0, result.code(), result::toString);
    } finally {
      spark.sc().removeSparkListener(listener);
    }
    assertSameShards(root.resolve("local-merged"), root.resolve("killed-merged"));
  }

  /** Executor JVMs; their command lines are too long for ProcessHandle.Info, so /proc is read directly. */
  private static Stream<ProcessHandle> executors() {
    return ProcessHandle.current().descendants().filter(process -> {
      try {
        return new String(Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline")))
            .contains("CoarseGrainedExecutorBackend");
      } catch (IOException gone) {
        return false;
      }
    });
  }
}
