package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.LocalSparkCli;
import io.chatvector.ChatVectorCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** The example specs in conf/ run as shipped (on a family of their own), and bad specs name the key. */
class RunSpecTest {
  @TempDir
  static Path root;
  private static LocalSparkCli spark;

  @BeforeAll
  static void start() {
    spark = LocalSparkCli.start(RunSpecTest.class);
    spark.run(0, "synth", "--out", root.toString(), "--seed", "9");
    spark.run(0, "extract", "--base", root.resolve("base").toString(), "--chat", root.resolve("chat").toString(),
        "--out", root.resolve("vector").toString());
  }

  @AfterAll
  static void stop() {
    spark.close();
  }


  /** An example spec, with the demo's paths pointing at this test's family. */
  private static Path example(String name) throws IOException {
    String text = Files.readString(Path.of("conf", name)).replace("target/chatvector-demo", root.toString());
    return Files.writeString(root.resolve(name), text);
  }

  private static Path spec(String name, String text) throws IOException {
    return Files.writeString(root.resolve(name), text.replace("ROOT", root.toString()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"extract.yaml", "merge.yaml", "fused-merge.yaml", "sweep.yaml"})
  void theExampleSpecsRun(String name) throws IOException {
    Result result = spark.run(0, "run", example(name).toString());
    assertTrue(result.out().contains("complete"), result::toString);
  }

  @Test
  void aSpecGivesTheBytesOfTheSameCommandLine() throws IOException {
    spark.run(0, "run", spec("same.json", "{\"command\": \"merge\", \"cp\": \"ROOT/cp\", \"vectors\": "
        + "[{\"path\": \"ROOT/vector\", \"weight\": 0.5}], \"embeddings\": \"skip\", \"out\": \"ROOT/from-spec\"}")
        .toString());
    spark.run(0, "merge", "--cp", root.resolve("cp").toString(), "--vector", root.resolve("vector") + ":0.5",
        "--embeddings", "skip", "--out", root.resolve("from-flags").toString());
    String shard = "model-00001-of-00001.safetensors";
    assertArrayEquals(Files.readAllBytes(root.resolve("from-flags").resolve(shard)),
        Files.readAllBytes(root.resolve("from-spec").resolve(shard)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "command: merge\\ncp: ROOT/cp\\nvectors: [ROOT/vector]\\nout: ROOT/x\\nfrobnicate: 1|unknown key 'frobnicate' for merge",
      "command: merge\\ncp: ROOT/cp\\nvectors: [ROOT/vector]|missing key: 'out'",
      "command: merge\\ncp: ROOT/cp\\nbase: ROOT/base\\nchat: ROOT/chat\\nratio: lots\\nout: ROOT/x|Invalid value for key 'ratio'",
      "command: merge\\ncp: ROOT/cp\\nvectors: [ROOT/vector]\\nout: ROOT/x\\noverwrite: yes please|key 'overwrite' takes true or false",
      "command: merge\\ncp: ROOT/cp\\nvectors: [ROOT/vector]\\nout: [ROOT/x, ROOT/y]|key 'out' takes one value, not a list",
      "command: merge\\ncp: ROOT/cp\\nvectors: [{path: ROOT/vector, weight: heavy}]\\nout: ROOT/x|key 'vectors' takes DIR:WEIGHT",
      "command: frobnicate|key 'command' must be one of",
      "- just\\n- a list|a spec is a map of keys to values",
  })
  void refusesABadSpecNamingTheKey(String text, String expected) throws IOException {
    Path spec = spec("bad.yaml", text.replace("\\n", "\n"));
    Result result = spark.run(2, "run", spec.toString());
    assertTrue(result.err().startsWith("error: " + spec + ": ") && result.err().contains(expected), result::toString);
  }
}
