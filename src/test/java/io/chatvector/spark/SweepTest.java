package io.chatvector.spark;

import static io.chatvector.TestCheckpoints.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli;
import io.chatvector.ChatVectorCli.Result;
import io.chatvector.TestCheckpoints;
import io.chatvector.TestCheckpoints.Values;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
  @TempDir
  static Path root;
  private static JavaSparkContext spark;
  private static ChatVectorCli cli;

  @BeforeAll
  static void start() throws IOException {
    spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("SweepTest")
        .set("spark.ui.enabled", "false"));
    cli = new ChatVectorCli(spark);
    run(0, "synth", "--out", path("a"), "--seed", "1", "--extra-vocab", "16");
    run(0, "synth", "--out", path("b"), "--seed", "2", "--extra-vocab", "40", "--dtype", "F16");
    Files.move(root.resolve("a/cp"), root.resolve("cp-zh"));
    Files.move(root.resolve("b/cp"), root.resolve("cp-ko"));
    run(0, "extract", "--base", path("a/base"), "--chat", path("a/chat"), "--out", path("vector"));
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String path(String name) {
    return root.resolve(name).toString();
  }

  private static Result run(int code, String... args) {
    Result result = cli.run(args);
    assertEquals(code, result.code(), result::toString);
    return result;
  }

  private static void assertSameShards(Path expected, Path actual) throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(expected)) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.contains("safetensors")).sorted().toList();
    }
    assertFalse(files.isEmpty());
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)),
          actual + "/" + file);
    }
  }

  @Test
  void everyOutputEqualsItsOwnMergeAndTheVectorIsReadOnce() throws IOException {
    Result sweep = run(0, "sweep", "--cp", path("cp-zh"), "--cp", path("cp-ko"), "--vector", path("vector") + ":0.5",
        "--ratio", "1.0", "--ratio", "0.5", "--embeddings", "overlap", "--max-shard-size", "100KB",
        "--chunk-size", "8KB", "--segment-size", "50KB", "--out-root", path("sweep"));
    assertTrue(sweep.out().contains("sweep complete: 4 outputs written"), sweep::toString);

    for (String cp : List.of("cp-zh", "cp-ko")) {
      for (String ratio : List.of("1.0", "0.5")) {
        String weight = Float.toString(Float.parseFloat(ratio) * 0.5f);
        Path alone = root.resolve("alone-" + cp + "-" + ratio);
        run(0, "merge", "--cp", path(cp), "--vector", path("vector") + ":" + weight, "--embeddings", "overlap",
            "--max-shard-size", "100KB", "--out", alone.toString());
        assertSameShards(alone, root.resolve("sweep/" + cp + "-r" + ratio));
      }
    }
    long vectorBytes = Checkpoint.open(path("vector"), new Configuration()).totalBytes();
    Matcher read = Pattern.compile("read: +(\\S+ \\S+) from \\S+/vector\\n").matcher(sweep.out());
    assertTrue(read.find(), sweep::toString);
    assertEquals(io.chatvector.Sizes.format(vectorBytes), read.group(1), sweep::toString);
  }

  @Test
  void aBadCpFailsTheSweepUnlessKeepGoing() throws IOException {
    Path bad = root.resolve("cp-bad");
    TestCheckpoints.write(bad, tensors("model.norm.weight", Values.of(DType.BF16, new long[] {64}, new float[64])));
    Result refused = run(2, "sweep", "--cp", path("cp-zh"), "--cp", bad.toString(), "--vector", path("vector"),
        "--embeddings", "skip", "--out-root", path("strict"));
    assertTrue(refused.err().contains("is in the vector") && refused.err().contains("not in the CP"), refused::toString);
    assertFalse(Files.exists(root.resolve("strict/cp-zh")));

    Result partial = run(2, "sweep", "--cp", path("cp-zh"), "--cp", bad.toString(), "--vector", path("vector"),
        "--embeddings", "skip", "--keep-going", "--out-root", path("lenient"));
    assertTrue(partial.out().contains("written: cp-zh") && partial.out().contains("failed:  " + bad),
        partial::toString);
    assertTrue(partial.err().lines().anyMatch(l -> l.startsWith("error: 1 of 2 outputs failed")), partial::toString);
    assertTrue(Files.exists(root.resolve("lenient/cp-zh/model.safetensors.index.json")));
    assertFalse(Files.exists(root.resolve("lenient/cp-bad")));
  }

  @Test
  void aNanInOneCpDropsOnlyThatOutputWithKeepGoing() {
    Path nan = root.resolve("nan");
    TestCheckpoints.write(nan.resolve("cp-nan"), tensors("w", Values.of(DType.F32, new long[] {2}, 1, Float.NaN)));
    TestCheckpoints.write(nan.resolve("cp-fine"), tensors("w", Values.of(DType.F32, new long[] {2}, 1, 2)));
    TestCheckpoints.write(nan.resolve("v"), tensors("w", Values.of(DType.F32, new long[] {2}, 1, 1)));
    Result result = run(2, "sweep", "--cp", nan.resolve("cp-nan").toString(), "--cp", nan.resolve("cp-fine").toString(),
        "--vector", nan.resolve("v").toString(), "--keep-going", "--out-root", nan.resolve("out").toString());
    assertTrue(result.out().contains("failed:  cp-nan: ") && result.out().contains("is NaN"), result::toString);
    assertTrue(Files.exists(nan.resolve("out/cp-fine/model.safetensors.index.json")));
    assertFalse(Files.exists(nan.resolve("out/cp-nan")));
  }
}
