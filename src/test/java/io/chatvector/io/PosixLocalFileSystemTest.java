package io.chatvector.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.PosixFilePermissions;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.permission.FsPermission;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PosixLocalFileSystemTest {
  @TempDir
  java.nio.file.Path dir;

  private static String mode(java.nio.file.Path path) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
  }

  @Test
  void setsEveryPermissionBitItIsGiven() throws IOException {
    Configuration conf = new Configuration();
    FileSystem fs = Storage.fileSystem(new Path(dir.toUri()), conf);
    java.nio.file.Path file = Files.writeString(dir.resolve("a"), "x");
    for (String mode : new String[] {"rw-r-----", "r--------", "rwxrwxrwx", "---------", "-wx-w---x"}) {
      fs.setPermission(new Path(file.toUri()), FsPermission.valueOf("-" + mode));
      assertEquals(mode, mode(file));
    }
    assertThrows(NoSuchFileException.class,
        () -> fs.setPermission(new Path(dir.resolve("missing").toUri()), new FsPermission((short) 0644)));
    assertSame(fs, Storage.fileSystem(new Path(file.toUri()), conf), "one instance per Hadoop local file system");
  }

  @Test
  void createsFilesAndDirectoriesWithTheUmaskAppliedAsHadoopDoes() throws IOException {
    Configuration conf = new Configuration();
    conf.set("fs.permissions.umask-mode", "027");
    // Hadoop caches file systems per user, not per configuration: this one must get its own.
    conf.setBoolean("fs.file.impl.disable.cache", true);
    FileSystem fs = Storage.fileSystem(new Path(dir.toUri()), conf);
    Path child = new Path(dir.resolve("out").toUri());
    fs.mkdirs(child);
    try (FSDataOutputStream out = fs.create(new Path(child, "config.json"))) {
      out.write("{}".getBytes(StandardCharsets.UTF_8));
    }
    assertEquals("rwxr-x---", mode(dir.resolve("out")));
    assertEquals("rw-r-----", mode(dir.resolve("out").resolve("config.json")));
    assertEquals("{}", Files.readString(dir.resolve("out").resolve("config.json")));
  }
}
