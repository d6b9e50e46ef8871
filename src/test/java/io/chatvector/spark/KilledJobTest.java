package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChildJvm;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import io.chatvector.synth.FamilyGenerator;
import io.chatvector.synth.LlamaShape;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kills the job's JVM (SIGKILL: no shutdown hooks, no cleanup) at seeded random moments: the inputs stay
 * unchanged, nothing that looks like a finished checkpoint is left, and a rerun gives the bytes of a clean run.
 */
class KilledJobTest {
  @TempDir
  Path root;

  @Test
  void aKilledJobLeavesNoCompleteLookingOutputAndARerunSucceeds() throws Exception {
    LlamaShape shape = new LlamaShape(4, 512, 1376, 8192, 8, 8);
    new FamilyGenerator(shape, DType.BF16, 256, 8, 20_000_000L).writeFamily(root.resolve("family").toString(),
        new Configuration());
    Map<String, String> inputs = digests(root.resolve("family"));
    Path reference = root.resolve("reference");
    long start = System.nanoTime();
    ChildJvm.Outcome clean = ChildJvm.run("1g", root.resolve("clean.log"), 300, args(reference));
    long cleanMillis = (System.nanoTime() - start) / 1_000_000;
    assertEquals(0, clean.code(), clean.output());

    // Spread the kills over a whole run: start-up, planning, writing shards, publishing.
    SplittableRandom random = new SplittableRandom(2024);
    double[] moments = {0.3, 0.6, 0.8, 0.95};
    for (int round = 0; round < moments.length; round++) {
      Path out = root.resolve("killed-" + round);
      long delay = (long) (cleanMillis * (moments[round] + random.nextDouble(-0.05, 0.05)));
      Process process = ChildJvm.command("1g", root.resolve("killed-" + round + ".log"), args(out)).start();
      process.waitFor(delay, TimeUnit.MILLISECONDS);
      process.destroyForcibly().waitFor();

      if (Files.exists(out)) {
        // Only a finished run publishes the target, and then it is the whole checkpoint.
        assertTrue(Files.exists(out.resolve(Checkpoint.INDEX_FILE)), "round " + round);
      }
      assertIndexedMeansComplete(reference, root, round);
      ChildJvm.Outcome rerun = ChildJvm.run("1g", root.resolve("rerun-" + round + ".log"), 300,
          Files.exists(out) ? withOverwrite(args(out)) : args(out));
      assertEquals(0, rerun.code(), "round " + round + " (killed after " + delay + " ms): " + rerun.output());
      assertSameShards(reference, out);
      assertEquals(inputs, digests(root.resolve("family")), "inputs changed in round " + round);
    }
  }

  /**
   * The index is written last, so whatever a killed run left (the target or its staging directory) holds an
   * index only when every shard in it is complete and correct.
   */
  private static void assertIndexedMeansComplete(Path reference, Path root, int round) throws IOException {
    try (Stream<Path> entries = Files.list(root)) {
      for (Path entry : entries.filter(e -> e.getFileName().toString().contains("killed-" + round)).toList()) {
        if (Files.exists(entry.resolve(Checkpoint.INDEX_FILE))) {
          assertSameShards(reference, entry);
        }
      }
    }
  }

  private String[] args(Path out) {
    Path family = root.resolve("family");
    return new String[] {"merge", "--cp", family.resolve("cp").toString(), "--base", family.resolve("base").toString(),
        "--chat", family.resolve("chat").toString(), "--ratio", "0.5", "--embeddings", "overlap",
        "--max-shard-size", "20MB", "--segment-size", "4MB", "--chunk-size", "1MB", "--out", out.toString()};
  }

  private static String[] withOverwrite(String[] args) {
    return Stream.concat(Stream.of(args), Stream.of("--overwrite")).toArray(String[]::new);
  }

  private static void assertSameShards(Path expected, Path actual) throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(expected)) {
      files = list.map(p -> p.getFileName().toString()).filter(n -> n.contains("safetensors")).sorted().toList();
    }
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(expected.resolve(file)), Files.readAllBytes(actual.resolve(file)), file);
    }
  }

  private static Map<String, String> digests(Path directory) throws Exception {
    Map<String, String> digests = new TreeMap<>();
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        digests.put(directory.relativize(file).toString(), HexFormat.of().formatHex(sha.digest(Files.readAllBytes(file))));
      }
    }
    return digests;
  }
}
