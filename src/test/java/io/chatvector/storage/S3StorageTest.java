package io.chatvector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli.Result;
import io.chatvector.io.Checkpoint;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.fs.Path;
import org.gaul.s3proxy.junit.S3ProxyJunitCore;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/** The storage contract on a real S3-compatible server (s3proxy) on 127.0.0.1, through S3A. */
class S3StorageTest extends StorageContract {
  private static final String ACCESS_KEY = "chatvector-access";
  private static final String SECRET_KEY = "chatvector-secret-do-not-print";
  private S3ProxyJunitCore server;

  @Override
  String startStore() throws Exception {
    server = new S3ProxyJunitCore.Builder().withCredentials(ACCESS_KEY, SECRET_KEY).build();
    server.beforeEach();
    try (S3Client s3 = client()) {
      s3.createBucket(b -> b.bucket("models"));
    }
    return "s3a://models/chatvector";
  }

  @Override
  void assertNoUnfinishedUploads() {
    try (S3Client s3 = client()) {
      assertTrue(s3.listMultipartUploads(b -> b.bucket("models")).uploads().isEmpty());
    }
  }

  private S3Client client() {
    return S3Client.builder().endpointOverride(server.getUri()).region(Region.US_EAST_1)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .forcePathStyle(true).build();
  }

  @Override
  void stopStore() {
    server.afterEach();
  }

  @Override
  List<String> storeConf() {
    return settings(server.getUri().toString());
  }

  private static List<String> settings(String endpoint) {
    return new ArrayList<>(List.of(
        "spark.hadoop.fs.s3a.endpoint=" + endpoint,
        "spark.hadoop.fs.s3a.endpoint.region=us-east-1",
        "spark.hadoop.fs.s3a.path.style.access=true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled=false",
        "spark.hadoop.fs.s3a.access.key=" + ACCESS_KEY,
        "spark.hadoop.fs.s3a.secret.key=" + SECRET_KEY,
        "spark.hadoop.fs.s3a.aws.credentials.provider=org.apache.hadoop.fs.s3a.SimpleAWSCredentialsProvider",
        "spark.hadoop.fs.s3a.multipart.size=5M",
        // S3A stages uploads under hadoop.tmp.dir, /tmp by default; the test's own directory is removed after it.
        "spark.hadoop.fs.s3a.buffer.dir=" + local.resolve("s3a-buffer")));
  }

  @Test
  void aKilledRunsLeftoversAreReplacedWithoutOverwrite() throws Exception {
    String out = root + "/killed";
    fs(out).create(new Path(out + "/_CHATVECTOR_IN_PROGRESS")).close();
    fs(out).create(new Path(out + "/model-00001-of-00002.safetensors")).close();
    Result incomplete = refuse(2, "inspect", out);
    assertTrue(incomplete.err().contains("shard files without an index"), incomplete::toString);

    succeed("extract", "--base", family + "/base", "--chat", family + "/chat", "--out", out);
    assertTrue(exists(out + "/" + Checkpoint.INDEX_FILE));
    assertTrue(exists(out + "/_SUCCESS"));
    assertFalse(exists(out + "/_CHATVECTOR_IN_PROGRESS"));
    assertFalse(exists(out + "/model-00001-of-00002.safetensors"));
  }

  @Test
  void aMissingBucketIsBadInputAndNoSecretIsPrinted() {
    Result result = refuse(2, "inspect", "s3a://no-such-bucket/model");
    assertTrue(result.err().contains("no-such-bucket"), result::toString);
    assertFalse(result.toString().contains(SECRET_KEY), result::toString);
  }

  @Test
  void aDeadEndpointFailsInBoundedTimeWithExitOne() throws Exception {
    int deadPort;
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      deadPort = socket.getLocalPort();
    }
    List<String> args = new ArrayList<>(List.of("inspect", "s3a://models/elsewhere"));
    List<String> conf = settings("http://127.0.0.1:" + deadPort);
    conf.addAll(List.of("spark.hadoop.fs.s3a.attempts.maximum=1", "spark.hadoop.fs.s3a.retry.limit=1",
        "spark.hadoop.fs.s3a.retry.interval=10ms", "spark.hadoop.fs.s3a.connection.establish.timeout=1s",
        "spark.hadoop.fs.s3a.impl.disable.cache=true"));
    for (String setting : conf) {
      args.add("--conf");
      args.add(setting);
    }
    long start = System.nanoTime();
    Result result = cli.run(args.toArray(String[]::new));
    long seconds = (System.nanoTime() - start) / 1_000_000_000L;
    assertEquals(1, result.code(), result::toString);
    assertTrue(result.err().startsWith("error: storage failure: "), result::toString);
    assertTrue(seconds < 60, "took " + seconds + " s");
    assertFalse(result.toString().contains(SECRET_KEY), result::toString);
  }
}
