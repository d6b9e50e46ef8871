package io.chatvector.spark;

import static io.chatvector.TestCheckpoints.tensors;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatvector.ChatVectorCli;
import io.chatvector.ChatVectorCli.Result;
import io.chatvector.TestCheckpoints;
import io.chatvector.TestCheckpoints.Stored;
import io.chatvector.TestCheckpoints.Values;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.format.ReferenceRounding;
import io.chatvector.synth.FamilyGenerator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChatVectorJobTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String EMBED = "model.embed_tokens.weight";
  private static final String LM_HEAD = "lm_head.weight";
  private static final int HIDDEN = 64;
  private static final int VOCAB = 256;

  @TempDir
  static Path root;
  private static JavaSparkContext spark;
  private static ChatVectorCli cli;
  private static Path family;

  @BeforeAll
  static void start() {
    spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("ChatVectorJobTest")
        .set("spark.ui.enabled", "false"));
    cli = new ChatVectorCli(spark);
    family = root.resolve("family");
    succeed("synth", "--out", family.toString(), "--seed", "11");
  }

  @AfterAll
  static void stop() {
    spark.stop();
  }

  private static Result succeed(String... args) {
    Result result = cli.run(args);
    assertEquals(0, result.code(), result::toString);
    return result;
  }

  private static Result refuse(String... args) {
    Result result = cli.run(args);
    assertEquals(2, result.code(), result::toString);
    assertTrue(result.err().startsWith("error: "), result::toString);
    assertEquals(1, result.err().lines().filter(l -> l.startsWith("error:")).count(), result::toString);
    return result;
  }

  private static String path(String name) {
    return family.resolve(name).toString();
  }

  private static Path out(String name) {
    return root.resolve(name);
  }

  private static JsonNode json(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  private static int expectedBits(DType dtype, float value) {
    return switch (dtype) {
      case BF16 -> ReferenceRounding.bf16(value);
      case F16 -> ReferenceRounding.f16(value);
      default -> Float.floatToRawIntBits(value);
    };
  }

  @Test
  void demoRunsEveryStepAsItsOwnCommandLine() {
    Path demo = out("demo");
    Result result = succeed("demo", "--dir", demo.toString());

    for (String step : List.of("synth", "extract", "merge", "inspect")) {
      assertTrue(result.out().contains("\n$ chatvector " + step + " "), step + " ran:\n" + result);
    }
    assertTrue(result.out().contains("merge complete: file:" + demo.resolve("merged")), result::toString);
    assertTrue(result.out().contains("totals: 39 tensors, 4,278,528 parameters"), result::toString);
    assertTrue(Files.exists(demo.resolve("merged/model.safetensors.index.json")));
  }

  @Test
  void extractWritesChatMinusBaseRoundedOnceWithTheChatModelsFiles() throws IOException {
    Path vector = out("extract-vector");
    Result result = succeed("extract", "--base", path("base"), "--chat", path("chat"), "--out", vector.toString());
    assertTrue(result.out().contains("21 extracted"), result::toString);

    Map<String, Stored> chat = TestCheckpoints.read(family.resolve("chat"));
    Map<String, Stored> base = TestCheckpoints.read(family.resolve("base"));
    Map<String, Stored> written = TestCheckpoints.read(vector);
    assertEquals(new ArrayList<>(chat.keySet()), new ArrayList<>(written.keySet()));
    for (String name : chat.keySet()) {
      Stored c = chat.get(name);
      Stored b = base.get(name);
      Stored v = written.get(name);
      assertEquals(DType.BF16, v.info().dtype());
      for (int i = 0; i < c.elements(); i++) {
        assertEquals(ReferenceRounding.bf16(c.value(i) - b.value(i)), v.bits(i), name + " element " + i);
      }
    }
    assertEquals(FamilyGenerator.CHAT_TEMPLATE, json(vector.resolve("tokenizer_config.json")).get("chat_template").asText());
    assertEquals(json(family.resolve("chat/config.json")), json(vector.resolve("config.json")));
    JsonNode provenance = json(vector.resolve("chatvector.json"));
    assertEquals("chat - base", provenance.get("formula").asText());
    assertEquals(8, provenance.get("shards").get(0).get("crc32c").asText().length());
    assertFalse(Files.exists(root.resolve(".extract-vector.chatvector-staging")));
  }

  @Test
  void mergeAddsWeightedVectorsAndOverlapKeepsTheCpsNewRows() {
    Path v1 = out("overlap-v1");
    Path v2 = out("overlap-v2");
    succeed("extract", "--base", path("base"), "--chat", path("chat"), "--out", v1.toString());
    succeed("extract", "--base", path("chat"), "--chat", path("base"), "--out", v2.toString(), "--dtype", "F32");
    Path merged = out("overlap-merged");
    Result result = succeed("merge", "--cp", path("cp"), "--vector", v1 + ":0.5", "--vector", v2 + ":0.25",
        "--embeddings", "overlap", "--out", merged.toString());
    assertTrue(result.out().contains("2 merged on shared rows (vocabulary overlap)"), result::toString);
    assertFalse(result.err().contains("warning"), result::toString);

    Map<String, Stored> cp = TestCheckpoints.read(family.resolve("cp"));
    Map<String, Stored> first = TestCheckpoints.read(v1);
    Map<String, Stored> second = TestCheckpoints.read(v2);
    Map<String, Stored> written = TestCheckpoints.read(merged);
    for (String name : cp.keySet()) {
      Stored c = cp.get(name);
      Stored m = written.get(name);
      int shared = first.get(name).elements();
      for (int i = 0; i < c.elements(); i++) {
        int expected = i < shared
            ? ReferenceRounding.bf16((c.value(i) + 0.5f * first.get(name).value(i)) + 0.25f * second.get(name).value(i))
            : c.bits(i);
        assertEquals(expected, m.bits(i), name + " element " + i);
      }
    }
    assertTrue(cp.get(EMBED).elements() > first.get(EMBED).elements());
  }

  @Test
  void fusedMergeRoundsOnceAndSkipKeepsTheCpsEmbeddings() throws IOException {
    Path merged = out("fused");
    Result result = succeed("merge", "--cp", path("cp"), "--base", path("base"), "--chat", path("chat"),
        "--ratio", "0.5", "--embeddings", "skip", "--out", merged.toString());
    assertTrue(result.out().contains("19 merged"), result::toString);
    assertTrue(result.out().contains("2 copied, larger vocabulary (--embeddings skip)"), result::toString);

    Map<String, Stored> cp = TestCheckpoints.read(family.resolve("cp"));
    Map<String, Stored> chat = TestCheckpoints.read(family.resolve("chat"));
    Map<String, Stored> base = TestCheckpoints.read(family.resolve("base"));
    Map<String, Stored> written = TestCheckpoints.read(merged);
    assertEquals(new ArrayList<>(cp.keySet()), new ArrayList<>(written.keySet()));
    for (String name : cp.keySet()) {
      if (name.equals(EMBED) || name.equals(LM_HEAD)) {
        assertArrayEquals(cp.get(name).bytes(), written.get(name).bytes(), name);
        continue;
      }
      for (int i = 0; i < cp.get(name).elements(); i++) {
        float delta = chat.get(name).value(i) - base.get(name).value(i);
        assertEquals(ReferenceRounding.bf16(cp.get(name).value(i) + 0.5f * delta), written.get(name).bits(i),
            name + " element " + i);
      }
    }
    assertEquals(json(family.resolve("cp/config.json")), json(merged.resolve("config.json")));
    JsonNode tokenizer = json(merged.resolve("tokenizer_config.json"));
    assertEquals(FamilyGenerator.CHAT_TEMPLATE, tokenizer.get("chat_template").asText());
    assertEquals("</s>", tokenizer.get("eos_token").asText());
    JsonNode provenance = json(merged.resolve("chatvector.json"));
    assertEquals("cp + 0.5 * (chat - base)", provenance.get("formula").asText());
    assertEquals(2, provenance.get("tensors").get("copied_vocabulary").asInt());
  }

  @Test
  void vocabularyMismatchFailsByDefaultAndNamesBothWaysOut() {
    Path merged = out("vocabulary-error");
    Result result = refuse("merge", "--cp", path("cp"), "--base", path("base"), "--chat", path("chat"),
        "--out", merged.toString());
    assertTrue(result.err().contains("tensor '" + EMBED + "' has shape [" + (VOCAB + 16) + ", " + HIDDEN
        + "] in the CP model but [" + VOCAB + ", " + HIDDEN + "]"), result::toString);
    assertTrue(result.err().contains("--embeddings skip") && result.err().contains("--embeddings overlap"));
    assertFalse(Files.exists(merged));
  }

  @Test
  void excludedTensorsAreLeftExactlyAsTheCpHasThem() {
    Path merged = out("excluded");
    Result result = succeed("merge", "--cp", path("cp"), "--base", path("base"), "--chat", path("chat"),
        "--exclude", "mlp\\.|embed_tokens|lm_head", "--dtype", "F32", "--out", merged.toString());
    assertTrue(result.out().contains("8 copied, excluded by --exclude"), result::toString);
    Map<String, Stored> cp = TestCheckpoints.read(family.resolve("cp"));
    Map<String, Stored> written = TestCheckpoints.read(merged);
    for (String name : cp.keySet()) {
      boolean excluded = name.contains("mlp.") || name.equals(EMBED) || name.equals(LM_HEAD);
      assertEquals(excluded ? DType.BF16 : DType.F32, written.get(name).info().dtype(), name);
      if (excluded) {
        assertArrayEquals(cp.get(name).bytes(), written.get(name).bytes(), name);
      }
    }
  }

  @Test
  void shardedInputsGiveTheSameBytesAsSingleFilesAndOutputShardsFollowTheCpOrder() throws IOException {
    Path sharded = root.resolve("family-sharded");
    succeed("synth", "--out", sharded.toString(), "--seed", "11", "--max-shard-size", "40KB");
    assertTrue(Files.exists(sharded.resolve("cp/model.safetensors.index.json")));

    Path fromSingle = out("layout-single");
    Path fromSharded = out("layout-sharded");
    for (Path[] run : new Path[][] {{family, fromSingle}, {sharded, fromSharded}}) {
      succeed("merge", "--cp", run[0].resolve("cp").toString(), "--base", run[0].resolve("base").toString(),
          "--chat", run[0].resolve("chat").toString(), "--embeddings", "skip", "--max-shard-size", "50KB",
          "--chunk-size", "4KB", "--out", run[1].toString());
    }
    List<String> shards;
    try (Stream<Path> files = Files.list(fromSingle)) {
      shards = files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".safetensors")).sorted().toList();
    }
    assertTrue(shards.size() > 3, shards::toString);
    assertEquals(String.format("model-%05d-of-%05d.safetensors", shards.size(), shards.size()), shards.get(shards.size() - 1));
    for (String shard : shards) {
      assertArrayEquals(Files.readAllBytes(fromSingle.resolve(shard)), Files.readAllBytes(fromSharded.resolve(shard)), shard);
      assertTrue(Files.size(fromSingle.resolve(shard)) <= 50_000 + 4096 || shard.equals(shards.get(0)), shard);
    }
    JsonNode index = json(fromSingle.resolve("model.safetensors.index.json"));
    Map<String, Stored> written = TestCheckpoints.read(fromSingle);
    assertEquals(new ArrayList<>(TestCheckpoints.read(family.resolve("cp")).keySet()), new ArrayList<>(written.keySet()));
    assertEquals(written.values().stream().mapToLong(s -> s.bytes().length).sum(),
        index.get("metadata").get("total_size").asLong());
    assertEquals(written.size(), index.get("weight_map").size());
  }

  @Test
  void parallelSegmentsWriteTheSameBytesAndChecksumsAsOneTaskPerShard() throws IOException {
    Path whole = out("segments-whole");
    Path segmented = out("segments-many");
    for (String[] run : new String[][] {{whole.toString(), "1GB"}, {segmented.toString(), "8KB"}}) {
      Result result = succeed("merge", "--cp", path("cp"), "--base", path("base"), "--chat", path("chat"),
          "--embeddings", "overlap", "--chunk-size", "2KB", "--max-shard-size", "100KB", "--segment-size", run[1],
          "--out", run[0]);
      java.util.regex.Matcher tasks = java.util.regex.Pattern.compile("chunks in (\\d+) tasks").matcher(result.out());
      assertTrue(tasks.find(), result::toString);
      int count = Integer.parseInt(tasks.group(1));
      assertTrue(run[1].equals("1GB") ? count == 3 : count > 10, result::toString);
    }
    JsonNode shards = json(segmented.resolve("chatvector.json")).get("shards");
    assertEquals(json(whole.resolve("chatvector.json")).get("shards"), shards);
    for (JsonNode shard : shards) {
      byte[] bytes = Files.readAllBytes(segmented.resolve(shard.get("file").asText()));
      assertArrayEquals(Files.readAllBytes(whole.resolve(shard.get("file").asText())), bytes);
      java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
      crc.update(bytes);
      assertEquals(String.format("%08x", crc.getValue()), shard.get("crc32c").asText());
      assertEquals(bytes.length, shard.get("bytes").asLong());
    }
  }

  @Test
  void refusesAnExistingOutputUnlessOverwriting() throws IOException {
    Path merged = out("existing");
    Files.createDirectories(merged);
    Files.writeString(merged.resolve("keep.txt"), "user data");
    String[] args = {"merge", "--cp", path("cp"), "--base", path("base"), "--chat", path("chat"),
        "--embeddings", "skip", "--out", merged.toString()};
    Result refused = refuse(args);
    assertTrue(refused.err().contains("output already exists (use --overwrite to replace it)"), refused::toString);
    assertTrue(Files.exists(merged.resolve("keep.txt")));

    String[] overwrite = Stream.concat(Stream.of(args), Stream.of("--overwrite")).toArray(String[]::new);
    succeed(overwrite);
    assertFalse(Files.exists(merged.resolve("keep.txt")));
    assertTrue(Files.exists(merged.resolve("model.safetensors.index.json")));
    byte[] first = Files.readAllBytes(merged.resolve("model-00001-of-00001.safetensors"));
    succeed(overwrite);
    assertArrayEquals(first, Files.readAllBytes(merged.resolve("model-00001-of-00001.safetensors")));
  }

  @Test
  void refusesAnOutputInsideAnInput() {
    Result result = refuse("extract", "--base", path("base"), "--chat", path("chat"), "--out", path("chat") + "/vector");
    assertTrue(result.err().contains("output overlaps the input"), result::toString);
    refuse("extract", "--base", path("base"), "--chat", path("chat"), "--out", family.toString());
  }

  @Test
  void clearsWhatAKilledRunLeftBehind() throws IOException {
    Path stale = root.resolve(".rerun.chatvector-staging");
    Files.createDirectories(stale);
    Files.writeString(stale.resolve("model-00001-of-00001.safetensors"), "half written");
    succeed("extract", "--base", path("base"), "--chat", path("chat"), "--out", out("rerun").toString());
    assertFalse(Files.exists(stale));
    TestCheckpoints.read(out("rerun"));
  }

  @Test
  void dryRunPrintsThePlanAndWritesNothing() {
    Path merged = out("dry");
    Result result = succeed("merge", "--cp", path("cp"), "--vector", path("chat") + ":0.5", "--embeddings", "skip",
        "--dry-run", "--out", merged.toString());
    assertTrue(result.out().contains("plan for") && result.out().contains("memory:"), result::toString);
    assertFalse(Files.exists(merged));
    assertTrue(result.err().contains("warning: file:" + path("chat") + ": a model directory that 'chatvector extract' did not "
        + "write"),
        result::toString);
  }

  @Test
  void aNanInAnInputFailsTheJobAndLeavesNoOutput() {
    Path dir = root.resolve("nan");
    TestCheckpoints.write(dir.resolve("cp"), tensors("w", Values.of(DType.BF16, new long[] {2, 2}, 1, 2, 3, Float.NaN)));
    TestCheckpoints.write(dir.resolve("v"), tensors("w", Values.of(DType.BF16, new long[] {2, 2}, 0, 0, 0, 0)));
    Path merged = dir.resolve("merged");
    Result result = refuse("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("v").toString(),
        "--out", merged.toString());
    assertTrue(result.err().contains("model.safetensors: tensor 'w' element [1, 1] is NaN"), result::toString);
    assertFalse(Files.exists(merged));
    assertFalse(Files.exists(dir.resolve(".merged.chatvector-staging")));

    succeed("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("v").toString(),
        "--allow-nonfinite", "--out", merged.toString());
  }

  /** Local merges stream chunks in pieces of 64 Ki elements: tensors of several pieces, merged and copied. */
  @Test
  void chunksOfSeveralPiecesAreMergedAndCheckedPieceByPiece() {
    Path dir = root.resolve("pieces");
    int columns = 100_003;
    float[] cp = new float[3 * columns];
    float[] vector = new float[cp.length];
    for (int i = 0; i < cp.length; i++) {
      cp[i] = (i % 251) / 64f;
      vector[i] = (i % 13) / 8f - 0.75f;
    }
    long[] shape = {3, columns};
    TestCheckpoints.write(dir.resolve("cp"), tensors("w", Values.of(DType.BF16, shape, cp),
        "extra", Values.of(DType.F32, shape, cp)));
    TestCheckpoints.write(dir.resolve("v"), tensors("w", Values.of(DType.BF16, shape, vector)));
    Path merged = dir.resolve("merged");
    succeed("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("v") + ":0.5",
        "--out", merged.toString());
    Map<String, Stored> out = TestCheckpoints.read(merged);
    for (int i = 0; i < cp.length; i++) {
      float expected = Floats.bf16ToF32(Floats.f32ToBf16(Floats.bf16ToF32(Floats.f32ToBf16(cp[i]))
          + 0.5f * Floats.bf16ToF32(Floats.f32ToBf16(vector[i]))));
      assertEquals(expected, out.get("w").value(i), "element " + i);
      assertEquals(cp[i], out.get("extra").value(i), "copied element " + i);
    }

    cp[2 * columns + 345] = Float.NaN;
    TestCheckpoints.write(dir.resolve("cp-nan"), tensors("w", Values.of(DType.BF16, shape, cp)));
    Result result = refuse("merge", "--cp", dir.resolve("cp-nan").toString(), "--vector", dir.resolve("v").toString(),
        "--out", dir.resolve("nan").toString());
    assertTrue(result.err().contains("tensor 'w' element [2, 345] is NaN"), result::toString);
    cp[2 * columns + 345] = 0;
    float[] copied = cp.clone();
    copied[columns + 70_000] = Float.POSITIVE_INFINITY;
    TestCheckpoints.write(dir.resolve("cp-inf"), tensors("w", Values.of(DType.BF16, shape, cp),
        "extra", Values.of(DType.F32, shape, copied)));
    result = refuse("merge", "--cp", dir.resolve("cp-inf").toString(), "--vector", dir.resolve("v").toString(),
        "--out", dir.resolve("inf").toString());
    assertTrue(result.err().contains("tensor 'extra' element [1, 70000] is not finite"), result::toString);
  }

  @Test
  void copiesTensorsTheVectorLacksAndRefusesTensorsTheCpLacks() {
    Path dir = root.resolve("sets");
    TestCheckpoints.write(dir.resolve("cp"), tensors(
        "w", Values.of(DType.F16, new long[] {2}, 1, 2),
        "position_ids", Values.of(DType.I64, new long[] {3}, 0, 1, 2),
        "norm", Values.of(DType.F32, new long[] {1}, 5)));
    TestCheckpoints.write(dir.resolve("v"), tensors("w", Values.of(DType.F32, new long[] {2}, 0.5f, 0.25f)));
    TestCheckpoints.write(dir.resolve("extra"), tensors("w", Values.of(DType.F32, new long[] {2}, 0, 0),
        "adapter", Values.of(DType.F32, new long[] {1}, 1)));
    TestCheckpoints.write(dir.resolve("wide"), tensors("w", Values.of(DType.F32, new long[] {1, 2}, 0, 0)));
    TestCheckpoints.write(dir.resolve("ints"), tensors("position_ids", Values.of(DType.I64, new long[] {3}, 1, 1, 1)));

    Path merged = dir.resolve("merged");
    Result result = succeed("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("v") + ":2",
        "--out", merged.toString());
    assertTrue(result.out().contains("2 copied, not in the vector"), result::toString);
    Map<String, Stored> written = TestCheckpoints.read(merged);
    Map<String, Stored> cp = TestCheckpoints.read(dir.resolve("cp"));
    assertEquals(2.0f, written.get("w").value(0));
    assertEquals(2.5f, written.get("w").value(1));
    assertArrayEquals(cp.get("position_ids").bytes(), written.get("position_ids").bytes());
    assertArrayEquals(cp.get("norm").bytes(), written.get("norm").bytes());

    Result missing = refuse("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("extra").toString(),
        "--out", dir.resolve("m2").toString());
    assertTrue(missing.err().contains("tensor 'adapter' is in the vector") && missing.err().contains("not in the CP"),
        missing::toString);
    Result shape = refuse("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("wide").toString(),
        "--out", dir.resolve("m3").toString());
    assertTrue(shape.err().contains("tensor 'w' has shape [2] in the CP model but [1, 2]"), shape::toString);
    Result ints = refuse("merge", "--cp", dir.resolve("cp").toString(), "--vector", dir.resolve("ints").toString(),
        "--out", dir.resolve("m4").toString());
    assertTrue(ints.err().contains("tensor 'position_ids' has dtype I64"), ints::toString);
  }

  @Test
  void refusesInvalidCheckpointsNamingTheFile() throws IOException {
    Path dir = root.resolve("invalid");
    Files.createDirectories(dir.resolve("broken"));
    Files.write(dir.resolve("broken/model.safetensors"), new byte[] {1, 2, 3});
    Result broken = refuse("inspect", dir.resolve("broken").toString());
    assertTrue(broken.err().contains("broken/model.safetensors: file is 3 bytes"), broken::toString);

    Result absent = refuse("merge", "--cp", dir.resolve("absent").toString(), "--vector", path("chat"),
        "--out", dir.resolve("m").toString());
    assertTrue(absent.err().contains("absent: checkpoint directory does not exist"), absent::toString);

    Files.createDirectories(dir.resolve("no-index"));
    Files.write(dir.resolve("no-index/model-00001-of-00002.safetensors"), new byte[8]);
    Result noIndex = refuse("inspect", dir.resolve("no-index").toString());
    assertTrue(noIndex.err().contains("shard files without an index"), noIndex::toString);
  }

  @Test
  void refusesBadUsageWithOneErrorLine() {
    assertTrue(refuse("merge", "--cp", path("cp"), "--out", out("u1").toString()).err()
        .contains("Give either --vector"));
    assertTrue(refuse("merge", "--cp", path("cp"), "--vector", path("chat"), "--base", path("base"),
        "--chat", path("chat"), "--out", out("u2").toString()).err().contains("Give either --vector"));
    assertTrue(refuse("merge", "--cp", path("cp"), "--vector", path("chat"), "--ratio", "0.5",
        "--out", out("u3").toString()).err().contains("--ratio goes with --base and --chat"));
    assertTrue(refuse("extract", "--base", path("base"), "--chat", path("chat"), "--dtype", "I8",
        "--out", out("u4").toString()).err().contains("expected F32, BF16 or F16"));
    assertTrue(refuse("extract", "--base", path("base"), "--chat", path("chat"), "--max-shard-size", "lots",
        "--out", out("u5").toString()).err().contains("Cannot read size 'lots'"));
    assertTrue(refuse("merge", "--cp", "a", "--out", "b", "--frobnicate").err().contains("Unknown option: '--frobnicate'"));
    assertTrue(refuse("extract", "--base", path("base"), "--chat", path("chat"), "--exclude", "(",
        "--out", out("u6").toString()).err().contains("Cannot compile regular expression '('"));
  }

  @Test
  void refusesVectorsExtractedFromDifferentBases() throws IOException {
    Path other = root.resolve("family-other");
    succeed("synth", "--out", other.toString(), "--vocab", "300");
    Path v1 = out("bases-v1");
    Path v2 = out("bases-v2");
    succeed("extract", "--base", path("base"), "--chat", path("chat"), "--out", v1.toString());
    succeed("extract", "--base", other.resolve("base").toString(), "--chat", other.resolve("chat").toString(),
        "--exclude", "embed_tokens|lm_head", "--out", v2.toString());
    assertEquals(16, json(v1.resolve("chatvector.json")).get("inputs").get("base_fingerprint").asText().length());
    Result result = refuse("merge", "--cp", path("cp"), "--vector", v1.toString(), "--vector", v2.toString(),
        "--embeddings", "skip", "--out", out("bases-merged").toString());
    assertTrue(result.err().contains("this vector was extracted from the base") && result.err().contains(
        "a different architecture"), result::toString);
    assertFalse(Files.exists(out("bases-merged")));
  }

  @Test
  void inspectPrintsTensorsShardsAndTotals() {
    Result result = succeed("inspect", path("cp"));
    assertTrue(result.out().lines().anyMatch(l -> l.matches(java.util.regex.Pattern.quote(EMBED)
        + " +BF16 +\\[272, 64\\] +34816 +model.safetensors")), result::toString);
    assertTrue(result.out().contains("model.safetensors  21 tensors"), result::toString);
    assertTrue(result.out().contains("totals: 21 tensors, 133,952 parameters"), result::toString);
  }
}
