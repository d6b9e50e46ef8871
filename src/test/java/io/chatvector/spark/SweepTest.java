package io.chatvector.spark;

import static io.chatvector.TestCheckpoints.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.LocalSparkCli;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SweepTest {
  @TempDir
  static Path root;
  private static LocalSparkCli spark;

  @BeforeAll
  static void start() throws IOException {
    spark = LocalSparkCli.start(SweepTest.class);
    spark.run(0, "synth", "--out", path("a"), "--seed", "1", "--extra-vocab", "16");
    spark.run(0, "synth", "--out", path("b"), "--seed", "2", "--extra-vocab", "40", "--dtype", "F16");
    Files.move(root.resolve("a/cp"), root.resolve("cp-zh"));
    Files.move(root.resolve("b/cp"), root.resolve("cp-ko"));
    spark.run(0, "extract", "--base", path("a/base"), "--chat", path("a/chat"), "--out", path("vector"));
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  private static String path(String name) {
    return root.resolve(name).toString();
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
    Result sweep = spark.run(0, "sweep", "--cp", path("cp-zh"), "--cp", path("cp-ko"), "--vector", path("vector") + ":0.5",
        "--ratio", "1.0", "--ratio", "0.5", "--embeddings", "overlap", "--max-shard-size", "100KB",
        "--chunk-size", "8KB", "--segment-size", "50KB", "--out-root", path("sweep"));
    assertTrue(sweep.out().contains("sweep complete: 4 outputs written"), sweep::toString);

    for (String cp : List.of("cp-zh", "cp-ko")) {
      for (String ratio : List.of("1.0", "0.5")) {
        String weight = Float.toString(Float.parseFloat(ratio) * 0.5f);
        Path alone = root.resolve("alone-" + cp + "-" + ratio);
        spark.run(0, "merge", "--cp", path(cp), "--vector", path("vector") + ":" + weight, "--embeddings", "overlap",
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
  void aResumedSweepKeepsTheGroupsItFinished() throws IOException {
    String[] sweep = {"sweep", "--cp", path("cp-zh"), "--cp", path("cp-ko"), "--vector", path("vector"), "--ratio", "1.0",
        "--embeddings", "overlap", "--chunk-size", "8KB", "--segment-size", "30KB"};
    Result reference = spark.run(0, concat(sweep, "--out-root", path("resume-reference")));
    Matcher tasks = Pattern.compile("in (\\d+) tasks").matcher(reference.out());
    assertTrue(tasks.find(), reference::toString);

    // The last group cannot record its work, so the job fails after the others have finished theirs.
    int lastGroup = Integer.parseInt(tasks.group(1)) - 1;
    List<Path> obstacles = Stream.of("cp-zh", "cp-ko").map(cp -> root.resolve("resume/." + cp
        + "-r1.0.chatvector-staging/_chatvector_segments/group-" + lastGroup + ".json")).toList();
    for (Path obstacle : obstacles) {
      Files.createDirectories(obstacle);
    }
    Result failed = spark.run(1, concat(sweep, "--out-root", path("resume"), "--resume"));
    assertTrue(failed.err().contains("rerun with --resume to reuse it"), failed::toString);
    for (Path obstacle : obstacles) {
      Files.delete(obstacle);
    }

    Result resumed = spark.run(0, concat(sweep, "--out-root", path("resume"), "--resume"));
    Matcher kept = Pattern.compile("resumed: (\\d+) groups kept").matcher(resumed.out());
    assertTrue(kept.find() && Integer.parseInt(kept.group(1)) > 0, resumed::toString);
    for (String output : List.of("cp-zh-r1.0", "cp-ko-r1.0")) {
      assertSameShards(root.resolve("resume-reference").resolve(output), root.resolve("resume").resolve(output));
    }
  }

  private static String[] concat(String[] head, String... tail) {
    return Stream.concat(Stream.of(head), Stream.of(tail)).toArray(String[]::new);
  }

  @Test
  void aBadCpFailsTheSweepUnlessKeepGoing() throws IOException {
    Path bad = root.resolve("cp-bad");
    TestCheckpoints.write(bad, tensors("model.norm.weight", Values.of(DType.BF16, new long[] {64}, new float[64])));
    Result refused = spark.run(2, "sweep", "--cp", path("cp-zh"), "--cp", bad.toString(), "--vector", path("vector"),
        "--embeddings", "skip", "--out-root", path("strict"));
    assertTrue(refused.err().contains("is in the vector") && refused.err().contains("not in the CP"), refused::toString);
    assertFalse(Files.exists(root.resolve("strict/cp-zh")));

    Result partial = spark.run(2, "sweep", "--cp", path("cp-zh"), "--cp", bad.toString(), "--vector", path("vector"),
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
    Result result = spark.run(2, "sweep", "--cp", nan.resolve("cp-nan").toString(), "--cp", nan.resolve("cp-fine").toString(),
        "--vector", nan.resolve("v").toString(), "--keep-going", "--out-root", nan.resolve("out").toString());
    assertTrue(result.out().contains("failed:  cp-nan: ") && result.out().contains("is NaN"), result::toString);
    assertTrue(Files.exists(nan.resolve("out/cp-fine/model.safetensors.index.json")));
    assertFalse(Files.exists(nan.resolve("out/cp-nan")));
  }
}
