package io.chatvector;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.format.DType;
import io.chatvector.synth.FamilyGenerator;
import io.chatvector.synth.LlamaShape;
import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged thin jar through submit-scripts/cluster/standalone.sh and Spark's own SparkSubmit, on a standalone
 * master and worker started here on 127.0.0.1 (Spark's jars from the Maven build stand in for an installation).
 */
class StandaloneSubmitIT {
  @TempDir
  static Path root;
  private static final List<Process> servers = new ArrayList<>();
  private static Path sparkHome;
  private static String masterUrl;

  @BeforeAll
  static void startCluster() throws Exception {
    sparkHome = root.resolve("spark-home");
    Files.createDirectories(sparkHome.resolve("jars"));
    Files.createDirectories(sparkHome.resolve("bin"));
    try (Stream<Path> jars = Files.list(Path.of("target/lib"))) {
      for (Path jar : jars.toList()) {
        Files.createSymbolicLink(sparkHome.resolve("jars").resolve(jar.getFileName()), jar.toAbsolutePath());
      }
    }
    Path submit = sparkHome.resolve("bin/spark-submit");
    Files.writeString(submit, "#!/usr/bin/env bash\nexec \"" + javaBin() + "\" " + moduleFlags()
        + " -Dlog4j2.configurationFile=" + new File("conf/log4j2.properties").getAbsolutePath()
        + " -cp \"$SPARK_HOME/jars/*\" org.apache.spark.deploy.SparkSubmit \"$@\"\n");
    Files.setPosixFilePermissions(submit, PosixFilePermissions.fromString("rwxr-xr-x"));

    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    servers.add(server("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
        Integer.toString(port), "--webui-port", Integer.toString(freePort())));
    awaitPort(port);
    servers.add(server("worker", "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1", "--cores", "2",
        "--memory", "2g", "--webui-port", Integer.toString(freePort()), masterUrl));

    new FamilyGenerator(new LlamaShape(2, 256, 688, 2048, 4, 4), DType.BF16, 64, 3, 5_000_000_000L)
        .writeFamily(root.resolve("family").toString(), new Configuration());
  }

  @AfterAll
  static void stopCluster() {
    for (Process server : servers) {
      server.descendants().forEach(ProcessHandle::destroyForcibly);
      server.destroyForcibly();
    }
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static String moduleFlags() {
    return System.getProperty("jvm.module.flags", "").trim();
  }

  private static Process server(String name, String mainClass, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(javaBin()));
    command.addAll(Arrays.asList(moduleFlags().split("\\s+")));
    command.addAll(List.of("-cp", sparkHome.resolve("jars") + "/*", mainClass));
    command.addAll(Arrays.asList(args));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(root.resolve(name + ".log").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    // The worker's and its executors' scratch directories in the test's own directory: stopping leaves them.
    builder.environment().put("SPARK_LOCAL_DIRS", root.resolve("spark-local").toString());
    return builder.start();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static void awaitPort(int port) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try (Socket socket = new Socket()) {
        socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        Thread.sleep(200);
      }
    }
    throw new AssertionError("the standalone master did not start");
  }

  private static ChildJvm.Outcome submit(String name, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("submit-scripts/cluster/standalone.sh", masterUrl));
    command.addAll(Arrays.asList(args));
    command.addAll(List.of("--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.driver.bindAddress=127.0.0.1"));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(root.resolve(name + ".log").toFile());
    builder.environment().put("SPARK_HOME", sparkHome.toString());
    builder.environment().put("SPARK_LOCAL_DIRS", root.resolve("spark-local").toString());
    builder.environment().put("CHATVECTOR_EXECUTOR_MEMORY", "1g");
    builder.environment().put("CHATVECTOR_EXECUTOR_CORES", "1");
    Process process = builder.start();
    if (!process.waitFor(300, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError(name + " did not finish: " + Files.readString(root.resolve(name + ".log")));
    }
    return new ChildJvm.Outcome(process.exitValue(), Files.readString(root.resolve(name + ".log")));
  }

  @Test
  void mergesOnTheClusterAsInLocalModeAndKeepsExitCodes() throws Exception {
    String family = root.resolve("family").toString();
    String[] merge = {"merge", "--cp", family + "/cp", "--base", family + "/base", "--chat", family + "/chat",
        "--ratio", "0.5", "--embeddings", "overlap", "--segment-size", "1MB"};
    ChildJvm.Outcome cluster = submit("cluster-merge", concat(merge, "--out", root.resolve("cluster").toString()));
    assertEquals(0, cluster.code(), cluster.output());
    assertTrue(cluster.output().contains("merge complete"), cluster.output());

    try (JavaSparkContext local = new JavaSparkContext(new SparkConf().setMaster("local[2]").setAppName("local")
        .set("spark.ui.enabled", "false"))) {
      ChatVectorCli.Result result = new ChatVectorCli(local).run(concat(merge, "--out", root.resolve("local").toString()));
      assertEquals(0, result.code(), result::toString);
    }
    String shard = "model-00001-of-00001.safetensors";
    assertArrayEquals(Files.readAllBytes(root.resolve("local").resolve(shard)),
        Files.readAllBytes(root.resolve("cluster").resolve(shard)));

    ChildJvm.Outcome bad = submit("cluster-bad", "inspect", root.resolve("absent").toString());
    assertEquals(2, bad.code(), bad.output());
    assertTrue(bad.output().contains("error: ") && bad.output().contains("checkpoint directory does not exist"),
        bad.output());
  }

  private static String[] concat(String[] head, String... tail) {
    return Stream.concat(Stream.of(head), Stream.of(tail)).toArray(String[]::new);
  }
}
