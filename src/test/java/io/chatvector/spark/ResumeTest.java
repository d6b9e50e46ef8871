package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli;
import io.chatvector.ChatVectorCli.Result;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --resume keeps the segments a failed run finished, once their bytes check out, and redoes the rest. */
class ResumeTest {
  @TempDir
  static Path root;
  private static JavaSparkContext spark;
  private static ChatVectorCli cli;

  @BeforeAll
  static void start() {
    spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ResumeTest")
        .set("spark.ui.enabled", "false"));
    cli = new ChatVectorCli(spark);
    assertEquals(0, cli.run("synth", "--out", root.resolve("family").toString(), "--seed", "12").code());
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static String[] merge(String out, String... more) {
    Path family = root.resolve("family");
    return Stream.concat(Stream.of("merge", "--cp", family.resolve("cp").toString(), "--base",
        family.resolve("base").toString(), "--chat", family.resolve("chat").toString(), "--embeddings", "overlap",
        "--max-shard-size", "100KB", "--segment-size", "16KB", "--chunk-size", "4KB", "--out", out), Stream.of(more))
        .toArray(String[]::new);
  }

  @Test
  void aResumedRunKeepsVerifiedSegmentsAndRedoesTheRest() throws Exception {
    Result reference = cli.run(merge(root.resolve("reference").toString()));
    assertEquals(0, reference.code(), reference::toString);

    Path out = root.resolve("out");
    Path staging = root.resolve(".out.chatvector-staging");
    Path obstacle = staging.resolve("model-00003-of-00003.safetensors");
    Files.createDirectories(obstacle);
    Result failed = cli.run(merge(out.toString(), "--resume"));
    assertEquals(1, failed.code(), failed::toString);
    assertTrue(failed.err().contains("rerun with --resume to reuse it"), failed::toString);
    assertFalse(Files.exists(out));

    Files.delete(obstacle);
    try (RandomAccessFile shard = new RandomAccessFile(staging.resolve("model-00001-of-00003.safetensors").toFile(),
        "rw")) {
      shard.seek(shard.length() - 10);
      int value = shard.read();
      shard.seek(shard.length() - 10);
      shard.write(value ^ 1);
    }
    Result resumed = cli.run(merge(out.toString(), "--resume"));
    assertEquals(0, resumed.code(), resumed::toString);
    Matcher kept = Pattern.compile("resumed: (\\d+) segments kept").matcher(resumed.out());
    assertTrue(kept.find(), resumed::toString);
    assertTrue(Integer.parseInt(kept.group(1)) > 0, resumed::toString);
    for (String shard : new String[] {"model-00001-of-00003.safetensors", "model-00002-of-00003.safetensors",
        "model-00003-of-00003.safetensors"}) {
      assertArrayEquals(Files.readAllBytes(root.resolve("reference").resolve(shard)),
          Files.readAllBytes(out.resolve(shard)), shard);
    }
    assertFalse(Files.exists(out.resolve("_chatvector_segments")));
    assertFalse(Files.exists(staging));
  }
}
