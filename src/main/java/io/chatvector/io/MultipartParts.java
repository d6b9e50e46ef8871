package io.chatvector.io;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.BBPartHandle;
import org.apache.hadoop.fs.BBUploadHandle;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalDirAllocator;
import org.apache.hadoop.fs.MultipartUploader;
import org.apache.hadoop.fs.PartHandle;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.UploadHandle;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * Parts as the parts of an object store's multipart upload, through Hadoop's {@link MultipartUploader} (S3A): the
 * object appears, whole, when the driver completes the upload. A task stages its part on local disk first, in
 * S3A's buffer directory ({@code fs.s3a.buffer.dir}, where S3A stages its own uploads), so that a part of any size
 * costs no heap and the upload knows its length.
 */
final class MultipartParts extends ShardParts {
  private static final long serialVersionUID = 1L;
  /** S3's smallest part but the last. */
  private static final long MIN_PART_BYTES = 5L << 20;
  private static final LocalDirAllocator STAGING = new LocalDirAllocator("fs.s3a.buffer.dir");

  @Override
  public long minPartBytes() {
    return MIN_PART_BYTES;
  }

  @Override
  public byte[] start(FileSystem fs, Path shard) throws IOException {
    try (MultipartUploader uploader = uploader(fs, shard)) {
      // Uploads a killed run started cost storage until aborted.
      FutureIO.awaitFuture(uploader.abortUploadsUnderPath(shard));
      return FutureIO.awaitFuture(uploader.startUpload(shard)).toByteArray();
    }
  }

  @Override
  public PartOutput open(Configuration conf, byte[] upload, Path shard, int index, boolean last, long attemptId)
      throws IOException {
    FileSystem fs = Storage.fileSystem(shard, conf);
    File staged = STAGING.createTmpFileForWrite("chatvector-part-", -1, conf);
    return new PartOutput(Files.newOutputStream(staged.toPath())) {
      @Override
      byte[] store() throws IOException {
        try (MultipartUploader uploader = uploader(fs, shard); InputStream in = Files.newInputStream(staged.toPath())) {
          return FutureIO.awaitFuture(uploader.putPart(handle(upload), index + 1, last, shard, in, staged.length()))
              .toByteArray();
        } finally {
          Files.deleteIfExists(staged.toPath());
        }
      }

      @Override
      void drop() throws IOException {
        Files.deleteIfExists(staged.toPath());
      }
    };
  }

  @Override
  public void complete(FileSystem fs, byte[] upload, Path shard, List<byte[]> parts) throws IOException {
    Map<Integer, PartHandle> handles = new HashMap<>();
    for (int part = 0; part < parts.size(); part++) {
      handles.put(part + 1, BBPartHandle.from(ByteBuffer.wrap(parts.get(part))));
    }
    try (MultipartUploader uploader = uploader(fs, shard)) {
      FutureIO.awaitFuture(uploader.complete(handle(upload), shard, handles));
    }
  }

  @Override
  public void abort(FileSystem fs, byte[] upload, Path shard) throws IOException {
    try (MultipartUploader uploader = uploader(fs, shard)) {
      FutureIO.awaitFuture(uploader.abort(handle(upload), shard));
    }
  }

  private static UploadHandle handle(byte[] upload) {
    return BBUploadHandle.from(ByteBuffer.wrap(upload));
  }

  private static MultipartUploader uploader(FileSystem fs, Path shard) throws IOException {
    return fs.createMultipartUploader(shard.getParent()).build();
  }
}
