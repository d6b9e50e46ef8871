package io.chatvector.io;

import io.chatvector.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;

/** Resolves user-given locations (local paths or URIs) to Hadoop paths and file systems. */
public final class Storage {
  private Storage() {
  }

  /** A fully qualified path: a plain local path becomes an absolute {@code file:} URI. */
  public static Path qualify(String location, Configuration conf) {
    try {
      Path path = new Path(location);
      URI uri = path.toUri();
      if (uri.getScheme() == null) {
        path = new Path(new java.io.File(location).getAbsoluteFile().toPath().normalize().toString());
        return path.makeQualified(FileSystem.getLocal(conf).getUri(), null);
      }
      return path.getFileSystem(conf).makeQualified(path);
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException("Cannot use path '" + location + "': " + e.getMessage());
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot reach the file system of " + location + ": " + e.getMessage(), e);
    }
  }

  /**
   * The file system of a path. Local files go through a raw local file system, which neither writes
   * {@code .crc} side files nor expects them, and sets permissions without starting processes.
   */
  public static FileSystem fileSystem(Path path, Configuration conf) {
    try {
      FileSystem fs = path.getFileSystem(conf);
      return fs instanceof LocalFileSystem local ? PosixLocalFileSystem.of(local) : fs;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot reach the file system of " + path + ": " + e.getMessage(), e);
    }
  }

  /** Stores without an atomic rename, where a checkpoint is written in place and published by its index. */
  private static final java.util.Set<String> OBJECT_STORES =
      java.util.Set.of("s3a", "s3", "s3n", "gs", "oss", "cosn", "obs", "wasb", "wasbs");

  public static boolean isObjectStore(Path path) {
    String scheme = path.toUri().getScheme();
    return scheme != null && OBJECT_STORES.contains(scheme.toLowerCase(java.util.Locale.ROOT));
  }
}
