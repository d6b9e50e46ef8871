package io.chatvector.storage;

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
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FileUtil;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every store must do, run against a real server per store: every command reads and writes it, in any mix
 * with local disk, with bytes identical to the same job on local disk, and a failed job leaves no index.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StorageContract {
  @TempDir
  static Path local;
  JavaSparkContext spark;
  ChatVectorCli cli;
  String family;

  /** Starts the server; returns the root URI tests write under. */
  abstract String startStore() throws Exception;

  abstract void stopStore() throws Exception;

  /** The settings a user passes for this store, as {@code --conf} values. */
  abstract List<String> storeConf();

  String root;

  @BeforeAll
  void start() throws Exception {
    root = startStore();
    spark = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName(getClass().getSimpleName())
        .set("spark.ui.enabled", "false"));
    cli = new ChatVectorCli(spark);
    succeed("synth", "--out", local.resolve("family").toString(), "--seed", "3", "--max-shard-size", "100KB");
    family = root + "/family";
    FileUtil.copy(FileSystem.getLocal(conf()).getRaw(), new org.apache.hadoop.fs.Path(local.resolve("family").toUri()),
        fs(family), new org.apache.hadoop.fs.Path(family), false, conf());
    succeed("extract", "--base", localPath("family/base"), "--chat", localPath("family/chat"),
        "--out", localPath("ref-vector"), "--max-shard-size", "100KB");
    FileUtil.copy(FileSystem.getLocal(conf()).getRaw(), new org.apache.hadoop.fs.Path(local.resolve("ref-vector").toUri()),
        fs(family), new org.apache.hadoop.fs.Path(root + "/vector-for-sweep"), false, conf());
    succeed("merge", "--cp", localPath("family/cp"), "--vector", localPath("ref-vector") + ":0.5",
        "--embeddings", "overlap", "--out", localPath("ref-merged"), "--max-shard-size", "100KB");
    succeed("merge", "--cp", localPath("family/cp"), "--base", localPath("family/base"), "--chat",
        localPath("family/chat"), "--embeddings", "skip", "--out", localPath("ref-fused"), "--max-shard-size", "100KB");
    succeed("sweep", "--cp", localPath("family/cp"), "--vector", localPath("ref-vector"), "--ratio", "0.5",
        "--ratio", "1.0", "--embeddings", "overlap", "--max-shard-size", "100KB", "--chunk-size", "16KB",
        "--segment-size", "40KB", "--out-root", localPath("ref-sweep"));
  }

  @AfterAll
  void stop() throws Exception {
    spark.stop();
    FileSystem.closeAll();
    stopStore();
  }

  Configuration conf() {
    Configuration conf = new Configuration();
    List<String> settings = storeConf();
    for (String setting : settings) {
      String[] keyValue = setting.substring("spark.hadoop.".length()).split("=", 2);
      conf.set(keyValue[0], keyValue[1]);
    }
    return conf;
  }

  FileSystem fs(String uri) throws IOException {
    return new org.apache.hadoop.fs.Path(uri).getFileSystem(conf());
  }

  String localPath(String name) {
    return local.resolve(name).toString();
  }

  Result run(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    if (!args[0].equals("synth")) {
      for (String setting : storeConf()) {
        all.add("--conf");
        all.add(setting);
      }
    }
    return cli.run(all.toArray(String[]::new));
  }

  Result succeed(String... args) {
    Result result = run(args);
    assertEquals(0, result.code(), result::toString);
    return result;
  }

  Result refuse(int code, String... args) {
    Result result = run(args);
    assertEquals(code, result.code(), result::toString);
    assertTrue(result.err().lines().anyMatch(l -> l.startsWith("error: ")), result::toString);
    return result;
  }

  byte[] read(String uri) throws IOException {
    try (InputStream in = fs(uri).open(new org.apache.hadoop.fs.Path(uri))) {
      return in.readAllBytes();
    }
  }

  boolean exists(String uri) throws IOException {
    return fs(uri).exists(new org.apache.hadoop.fs.Path(uri));
  }

  /** The shards and index of a local reference output equal those at {@code uri}, byte for byte. */
  void assertSameCheckpoint(String reference, String uri) throws IOException {
    List<String> files;
    try (Stream<Path> list = Files.list(local.resolve(reference))) {
      files = list.map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".safetensors") || n.equals(Checkpoint.INDEX_FILE)).sorted().toList();
    }
    assertTrue(files.size() > 2, files::toString);
    for (String file : files) {
      assertArrayEquals(Files.readAllBytes(local.resolve(reference).resolve(file)), read(uri + "/" + file), file);
    }
  }

  @Test
  void everyCommandOnTheStoreGivesTheLocalBytes() throws IOException {
    succeed("extract", "--base", family + "/base", "--chat", family + "/chat", "--out", root + "/vector",
        "--max-shard-size", "100KB");
    assertSameCheckpoint("ref-vector", root + "/vector");
    succeed("merge", "--cp", family + "/cp", "--vector", root + "/vector:0.5", "--embeddings", "overlap",
        "--out", root + "/merged", "--max-shard-size", "100KB");
    assertSameCheckpoint("ref-merged", root + "/merged");
    succeed("merge", "--cp", family + "/cp", "--base", family + "/base", "--chat", family + "/chat",
        "--embeddings", "skip", "--out", root + "/fused", "--max-shard-size", "100KB");
    assertSameCheckpoint("ref-fused", root + "/fused");
    assertTrue(new String(read(root + "/fused/tokenizer_config.json")).contains("chat_template"));

    Result inspect = succeed("inspect", root + "/fused");
    assertTrue(inspect.out().contains("totals: 21 tensors"), inspect::toString);
  }

  @Test
  void sweepsOnTheStoreAsOnLocalDisk() throws IOException {
    Result sweep = succeed("sweep", "--cp", family + "/cp", "--vector", root + "/vector-for-sweep", "--ratio", "0.5",
        "--ratio", "1.0", "--embeddings", "overlap", "--max-shard-size", "100KB", "--chunk-size", "16KB",
        "--segment-size", "40KB", "--out-root", root + "/sweep");
    assertTrue(sweep.out().contains("sweep complete: 2 outputs written"), sweep::toString);
    assertSameCheckpoint("ref-sweep/cp-r0.5", root + "/sweep/cp-r0.5");
    assertSameCheckpoint("ref-sweep/cp-r1.0", root + "/sweep/cp-r1.0");
    assertFalse(exists(root + "/sweep/cp-r0.5/_chatvector_parts"));
  }

  @Test
  void mixesTheStoreWithLocalDisk() throws IOException {
    succeed("merge", "--cp", family + "/cp", "--base", localPath("family/base"), "--chat", family + "/chat",
        "--embeddings", "skip", "--out", root + "/mixed-out", "--max-shard-size", "100KB");
    assertSameCheckpoint("ref-fused", root + "/mixed-out");
    succeed("merge", "--cp", family + "/cp", "--base", family + "/base", "--chat", family + "/chat",
        "--embeddings", "skip", "--out", localPath("mixed-local"), "--max-shard-size", "100KB");
    assertSameCheckpoint("ref-fused", local.resolve("mixed-local").toUri().toString());
  }

  /** Checks that no upload or part of one is left behind anywhere under the store's root. */
  abstract void assertNoUnfinishedUploads() throws Exception;

  @Test
  void shardsAreWrittenInPartsByParallelTasks() throws Exception {
    // Two shards of 12 MB: above twice S3's smallest part (5 MiB), so in parts on every store here.
    Path dir = local.resolve("large");
    int elements = 3 << 20;
    float[] cp = new float[elements];
    float[] vector = new float[elements];
    for (int i = 0; i < elements; i++) {
      cp[i] = (i % 1000) * 0.001f;
      vector[i] = (i % 777) * -0.002f;
    }
    long[] shape = {elements};
    TestCheckpoints.write(dir.resolve("cp"), tensors("a", Values.of(DType.F32, shape, cp),
        "b", Values.of(DType.F32, shape, vector)));
    TestCheckpoints.write(dir.resolve("v"), tensors("a", Values.of(DType.F32, shape, vector),
        "b", Values.of(DType.F32, shape, cp)));
    FileUtil.copy(dir.toFile(), fs(root), new org.apache.hadoop.fs.Path(root + "/large"), false, conf());
    String[] options = {"--max-shard-size", "13MB", "--chunk-size", "1MB", "--segment-size", "6MB"};
    succeed(Stream.concat(Stream.of("merge", "--cp", localPath("large/cp"), "--vector", localPath("large/v") + ":0.5",
        "--out", localPath("large-ref")), Stream.of(options)).toArray(String[]::new));

    Result merged = succeed(Stream.concat(Stream.of("merge", "--cp", root + "/large/cp", "--vector",
        root + "/large/v:0.5", "--out", root + "/large-out"), Stream.of(options)).toArray(String[]::new));

    java.util.regex.Matcher tasks = java.util.regex.Pattern.compile("chunks in (\\d+) tasks").matcher(merged.out());
    assertTrue(tasks.find() && Integer.parseInt(tasks.group(1)) >= 4, merged::toString);
    assertTrue(merged.out().contains("2 shards"), merged::toString);
    assertSameCheckpoint("large-ref", root + "/large-out");
    for (FileStatus file : fs(root).listStatus(new org.apache.hadoop.fs.Path(root + "/large-out"))) {
      assertFalse(file.getPath().getName().startsWith("."), file::toString);
      assertFalse(file.getPath().getName().startsWith("_chatvector"), file::toString);
    }
    assertNoUnfinishedUploads();
  }

  @Test
  void aFailedJobLeavesNoIndexAndARerunSucceeds() throws Exception {
    Path dir = local.resolve("failing");
    TestCheckpoints.write(dir.resolve("cp"), tensors(
        "a", Values.of(DType.F32, new long[] {1024}, new float[1024]),
        "b", Values.of(DType.F32, new long[] {2}, 1, Float.POSITIVE_INFINITY)));
    TestCheckpoints.write(dir.resolve("v"), tensors("a", Values.of(DType.F32, new long[] {1024}, new float[1024]),
        "b", Values.of(DType.F32, new long[] {2}, 0, 0)));
    FileUtil.copy(dir.toFile(), fs(root), new org.apache.hadoop.fs.Path(root + "/failing"), false, conf());
    String out = root + "/failing-out";
    Result failed = refuse(2, "merge", "--cp", root + "/failing/cp", "--vector", root + "/failing/v",
        "--max-shard-size", "1KB", "--out", out);
    assertTrue(failed.err().contains("tensor 'b' element [1] is Infinity"), failed::toString);
    assertFalse(exists(out + "/" + Checkpoint.INDEX_FILE));
    assertFalse(exists(out));
    assertNoUnfinishedUploads();

    succeed("merge", "--cp", root + "/failing/cp", "--vector", root + "/failing/v", "--max-shard-size", "1KB",
        "--allow-nonfinite", "--out", out);
    assertTrue(exists(out + "/" + Checkpoint.INDEX_FILE));
    assertTrue(exists(out + "/model-00002-of-00002.safetensors"));
  }

  @Test
  void refusesToOverwriteUnlessAsked() throws IOException {
    String out = root + "/twice";
    String[] args = {"extract", "--base", family + "/base", "--chat", family + "/chat", "--out", out};
    succeed(args);
    byte[] first = read(out + "/model-00001-of-00001.safetensors");
    Result refused = refuse(2, args);
    assertTrue(refused.err().contains("output already exists"), refused::toString);
    succeed(Stream.concat(Stream.of(args), Stream.of("--overwrite")).toArray(String[]::new));
    assertArrayEquals(first, read(out + "/model-00001-of-00001.safetensors"));
  }

  @Test
  void aMissingInputIsBadInput() {
    Result missing = refuse(2, "inspect", root + "/no-such-model");
    assertTrue(missing.err().contains(root + "/no-such-model: checkpoint directory does not exist"), missing::toString);
  }
}
