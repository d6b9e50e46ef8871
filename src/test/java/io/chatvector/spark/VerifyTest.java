package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.LocalSparkCli;
import io.chatvector.ChatVectorCli.Result;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VerifyTest {
  @TempDir
  static Path root;
  private static LocalSparkCli spark;

  @BeforeAll
  static void start() {
    spark = LocalSparkCli.start(VerifyTest.class);
    spark.run(0, "synth", "--out", root.resolve("family").toString(), "--seed", "4");
    spark.run(0, "extract", "--base", path("family/base"), "--chat", path("family/chat"), "--out", path("vector"));
  }

  @AfterAll
  static void stop() {
    spark.close();
  }

  private static String path(String name) {
    return root.resolve(name).toString();
  }


  private static String merge(String name) {
    spark.run(0, "merge", "--cp", path("family/cp"), "--vector", path("vector") + ":0.5", "--embeddings", "overlap",
        "--max-shard-size", "100KB", "--chunk-size", "4KB", "--out", path(name));
    return path(name);
  }

  /** Flips one byte in the middle of a tensor's data, as a disk or a bad copy might. */
  private static void corrupt(String checkpoint, String tensor) throws Exception {
    CheckpointTensor target = Checkpoint.open(checkpoint, new Configuration()).tensor(tensor);
    try (RandomAccessFile file = new RandomAccessFile(Path.of(URI.create(target.file())).toFile(), "rw")) {
      long position = target.dataPosition() + target.info().byteLength() / 2;
      file.seek(position);
      int value = file.read();
      file.seek(position);
      file.write(value ^ 0x40);
    }
  }

  @Test
  void acceptsAMergeAndAVectorThatAreWhatTheyClaim() {
    String merged = merge("good");
    Result result = spark.run(0, "verify", merged, "--against", path("family/cp"), "--vector", path("vector") + ":0.5");
    assertTrue(result.out().startsWith("verify ok: "), result::toString);
    assertTrue(result.out().contains("3 of 3 shards match chatvector.json"), result::toString);
    assertTrue(result.out().matches("(?s).*content: +\\d+ of \\d+ chunks recomputed from the inputs, identical.*"),
        result::toString);
    Result vector = spark.run(0, "verify", path("vector"), "--base", path("family/base"), "--chat", path("family/chat"));
    assertTrue(vector.out().contains("chunks recomputed from the inputs, identical"), vector::toString);
  }

  @Test
  void findsAFlippedByteByChecksumAndByRecomputation() throws Exception {
    String merged = merge("flipped");
    corrupt(merged, "model.layers.1.mlp.up_proj.weight");
    Result checksums = spark.run(2, "verify", merged);
    assertTrue(checksums.err().contains("bytes with CRC32C") && checksums.err().contains("were written"),
        checksums::toString);

    Files.delete(Path.of(merged, "chatvector.json"));
    Result content = spark.run(2, "verify", merged, "--against", path("family/cp"), "--vector", path("vector") + ":0.5",
        "--embeddings", "overlap", "--sample", "1000");
    assertTrue(content.err().contains("tensor 'model.layers.1.mlp.up_proj.weight' differs from its recomputed value"),
        content::toString);
  }

  @Test
  void refusesACheckpointMergedWithOtherWeights() {
    String merged = merge("weights");
    Result result = spark.run(2, "verify", merged, "--against", path("family/cp"), "--vector", path("vector") + ":0.25",
        "--sample", "1000");
    assertTrue(result.err().contains("differs from its recomputed value"), result::toString);
  }

  @Test
  void refusesAnIncompleteInputForm() {
    Result result = spark.run(2, "verify", path("vector"), "--vector", path("vector"));
    assertTrue(result.err().contains("Give --against CP"), result::toString);
  }
}
