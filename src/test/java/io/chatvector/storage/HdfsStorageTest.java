package io.chatvector.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.security.PrivilegedExceptionAction;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocatedFileStatus;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RemoteIterator;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.apache.hadoop.security.UserGroupInformation;
import org.junit.jupiter.api.Test;

/** The storage contract on a real HDFS: a MiniDFSCluster started by the test. */
class HdfsStorageTest extends StorageContract {
  private MiniDFSCluster cluster;

  @Override
  String startStore() throws Exception {
    Configuration conf = new Configuration();
    conf.set(MiniDFSCluster.HDFS_MINIDFS_BASEDIR, Files.createTempDirectory("minidfs").toString());
    conf.set("dfs.namenode.rpc-bind-host", "127.0.0.1");
    cluster = new MiniDFSCluster.Builder(conf).numDataNodes(1).build();
    cluster.waitActive();
    return cluster.getURI() + "/chatvector";
  }

  @Override
  void stopStore() {
    cluster.shutdown(true);
  }

  @Override
  List<String> storeConf() {
    return List.of();
  }

  @Override
  void assertNoUnfinishedUploads() throws IOException {
    RemoteIterator<LocatedFileStatus> files = fs(root).listFiles(new Path(root), true);
    while (files.hasNext()) {
      String name = files.next().getPath().getName();
      assertFalse(name.contains(".part-"), name);
    }
  }

  @Test
  void aPermissionProblemIsBadInputNamingThePath() throws Exception {
    fs(root).mkdirs(new Path(root + "/locked"), new FsPermission((short) 0755));
    UserGroupInformation alice = UserGroupInformation.createUserForTesting("alice", new String[] {"users"});
    Result result = alice.doAs((PrivilegedExceptionAction<Result>) () -> run("extract", "--base",
        family + "/base", "--chat", family + "/chat", "--out", root + "/locked/vector"));
    assertEquals(2, result.code(), result::toString);
    assertTrue(result.err().startsWith("error: permission denied: ") && result.err().contains("alice"),
        result::toString);
  }
}
