package io.chatvector.io;

import static io.chatvector.TestCheckpoints.tensors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.InvalidInputException;
import io.chatvector.TestCheckpoints;
import io.chatvector.TestCheckpoints.Values;
import io.chatvector.format.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The sharded-checkpoint rules: what an index may name, and how shards and index must agree. */
class CheckpointTest {
  @TempDir
  Path dir;

  /** Two shards: a.safetensors holds x, b.safetensors holds y. */
  private Path twoShards() throws IOException {
    TestCheckpoints.write(dir.resolve("a"), tensors("x", Values.of(DType.F32, new long[] {2}, 1, 2)));
    TestCheckpoints.write(dir.resolve("b"), tensors("y", Values.of(DType.BF16, new long[] {1}, 3)));
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    Files.move(dir.resolve("a/model.safetensors"), model.resolve("model-00001-of-00002.safetensors"));
    Files.move(dir.resolve("b/model.safetensors"), model.resolve("model-00002-of-00002.safetensors"));
    return model;
  }

  private static void index(Path model, String weightMap) throws IOException {
    Files.writeString(model.resolve(Checkpoint.INDEX_FILE),
        "{\"metadata\":{\"total_size\":10},\"weight_map\":{" + weightMap + "}}");
  }

  private static String refused(Path model) {
    return assertThrows(InvalidInputException.class,
        () -> Checkpoint.open(model.toString(), new Configuration())).getMessage();
  }

  @Test
  void opensShardsInOrderThroughTheIndex() throws IOException {
    Path model = twoShards();
    index(model, "\"y\":\"model-00002-of-00002.safetensors\",\"x\":\"model-00001-of-00002.safetensors\"");
    Checkpoint checkpoint = Checkpoint.open(model.toString(), new Configuration());
    assertEquals(List.of("x", "y"), checkpoint.tensors().stream().map(CheckpointTensor::name).toList());
    assertEquals(2, checkpoint.files().size());
    assertEquals(10, checkpoint.totalBytes());
  }

  @ParameterizedTest
  @ValueSource(strings = {"../a/model.safetensors", "/etc/passwd.safetensors", "sub/model-00001-of-00002.safetensors",
      "sub\\\\x.safetensors", "hdfs://nn/x.safetensors", "model-00001-of-00002.bin", "..safetensors",
      ".hidden.safetensors", ""})
  void refusesIndexNamesThatAreNotPlainShardFiles(String shard) throws IOException {
    Path model = twoShards();
    index(model, "\"x\":\"" + shard + "\",\"y\":\"model-00002-of-00002.safetensors\"");
    String message = refused(model);
    assertTrue(message.contains("tensor 'x' maps to") && message.contains("not a plain file name"), message);
  }

  @Test
  void refusesATensorInTwoShards() throws IOException {
    Path model = twoShards();
    TestCheckpoints.write(dir.resolve("c"), tensors("x", Values.of(DType.BF16, new long[] {1}, 3)));
    Files.move(dir.resolve("c/model.safetensors"), model.resolve("model-00002-of-00002.safetensors"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    index(model, "\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\"");
    String message = refused(model);
    assertTrue(message.contains("model-00002-of-00002.safetensors: tensor 'x' is mapped to "
        + "model-00001-of-00002.safetensors"), message);
  }

  @Test
  void refusesAShardTensorTheIndexDoesNotName() throws IOException {
    Path model = twoShards();
    index(model, "\"x\":\"model-00001-of-00002.safetensors\",\"z\":\"model-00002-of-00002.safetensors\"");
    String message = refused(model);
    assertTrue(message.contains("tensor 'y' is not in model.safetensors.index.json"), message);
  }

  @Test
  void refusesAnIndexedTensorMissingFromItsShard() throws IOException {
    Path model = twoShards();
    index(model, "\"x\":\"model-00001-of-00002.safetensors\",\"w\":\"model-00001-of-00002.safetensors\","
        + "\"y\":\"model-00002-of-00002.safetensors\"");
    assertTrue(refused(model).contains("tensor 'w' is mapped to this shard"));
  }

  @Test
  void refusesAnIndexNamingAMissingShard() throws IOException {
    Path model = twoShards();
    index(model, "\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00003-of-00003.safetensors\"");
    assertTrue(refused(model).contains("names shard model-00003-of-00003.safetensors, which does not exist"));
  }

  @Test
  void refusesAnIndexWithoutAWeightMapOrNotJson() throws IOException {
    Path model = twoShards();
    Files.writeString(model.resolve(Checkpoint.INDEX_FILE), "{\"metadata\":{}}");
    assertTrue(refused(model).contains("has no \"weight_map\" object"));
    Files.writeString(model.resolve(Checkpoint.INDEX_FILE), "{\"weight_map\":");
    assertTrue(refused(model).contains("not valid JSON"));
  }

  @Test
  void warnsWhenTotalSizeIsWrongAndTrustsTheShards() throws IOException {
    Path model = twoShards();
    Files.writeString(model.resolve(Checkpoint.INDEX_FILE), "{\"metadata\":{\"total_size\":999},\"weight_map\":{"
        + "\"x\":\"model-00001-of-00002.safetensors\",\"y\":\"model-00002-of-00002.safetensors\"}}");
    PrintStream original = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true));
    try {
      assertEquals(10, Checkpoint.open(model.toString(), new Configuration()).totalBytes());
    } finally {
      System.setErr(original);
    }
    assertTrue(err.toString().contains("metadata.total_size is 999 but the shards hold 10 tensor bytes"), err::toString);
  }

  @Test
  void acceptsTiedEmbeddingsWithoutLmHead() {
    TestCheckpoints.write(dir.resolve("tied"), tensors("model.embed_tokens.weight",
        Values.of(DType.BF16, new long[] {2, 2}, 1, 2, 3, 4)));
    assertEquals(1, Checkpoint.open(dir.resolve("tied").toString(), new Configuration()).tensors().size());
  }

  @Test
  void refusesAFileWhereADirectoryIsExpected() throws IOException {
    Path file = Files.writeString(dir.resolve("model.safetensors"), "x");
    assertTrue(refused(file).contains("is a file; expected a checkpoint directory"));
  }
}
