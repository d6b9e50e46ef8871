package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.LocalSparkCli;
import io.chatvector.ChatVectorCli.Result;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** --resume keeps the segments a failed run finished, once their bytes check out, and redoes the rest. */
class ResumeTest {
  @TempDir
  static Path root;
  private static LocalSparkCli spark;

  @BeforeAll
  static void start() {
    spark = LocalSparkCli.start(ResumeTest.class);
    spark.run(0, "synth", "--out", root.resolve("family").toString(), "--seed", "12");
  }

  @AfterAll
  static void stop() {
    spark.close();
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
    spark.run(0, merge(root.resolve("reference").toString()));

    Path out = root.resolve("out");
    Path staging = root.resolve(".out.chatvector-staging");
    Path obstacle = staging.resolve("model-00003-of-00003.safetensors");
    Files.createDirectories(obstacle);
    Result failed = spark.run(1, merge(out.toString(), "--resume"));
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
    Result resumed = spark.run(0, merge(out.toString(), "--resume"));
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
