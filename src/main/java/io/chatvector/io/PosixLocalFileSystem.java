package io.chatvector.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Collections;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's raw local file system, setting permissions with a system call. Without Hadoop's native library (the
 * client jars have none) it starts a {@code chmod} process for every file and directory it creates: 16 a job,
 * 10-16 ms each on the 2-core build machine, most of them while the driver stages and commits the output.
 */
final class PosixLocalFileSystem extends RawLocalFileSystem {
  /** One per Hadoop local file system, which Hadoop caches per configuration and user. */
  private static final Map<LocalFileSystem, PosixLocalFileSystem> BY_LOCAL =
      Collections.synchronizedMap(new WeakHashMap<>());

  static PosixLocalFileSystem of(LocalFileSystem local) {
    return BY_LOCAL.computeIfAbsent(local, key -> {
      PosixLocalFileSystem fs = new PosixLocalFileSystem();
      try {
        fs.initialize(key.getUri(), key.getConf());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return fs;
    });
  }

  @Override
  public void setPermission(Path path, FsPermission permission) throws IOException {
    if (permission.getStickyBit()) {
      super.setPermission(path, permission);
      return;
    }
    try {
      Files.setPosixFilePermissions(pathToFile(path).toPath(), posix(permission));
    } catch (UnsupportedOperationException e) {
      super.setPermission(path, permission);
    }
  }

  private static Set<PosixFilePermission> posix(FsPermission permission) {
    return PosixFilePermissions.fromString(permission.getUserAction().SYMBOL + permission.getGroupAction().SYMBOL
        + permission.getOtherAction().SYMBOL);
  }
}
