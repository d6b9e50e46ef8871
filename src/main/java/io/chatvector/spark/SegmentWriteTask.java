package io.chatvector.spark;

import io.chatvector.io.Storage;
import io.chatvector.plan.Chunk;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Executor side: writes one segment of a shard. On local disk segments of one shard are written in parallel at
 * their positions in the file; retried or speculative attempts write the same bytes at the same places. Elsewhere a
 * segment is a whole shard, streamed to the store: where rename is atomic, under a per-attempt name renamed into
 * place when complete; on object stores, whose uploads appear only when complete, under its final name.
 */
final class SegmentWriteTask {
  private final List<InputFile> inputs;
  private final Configuration conf;
  private final Path writeDirectory;
  private final boolean positional;
  private final boolean renameAttempts;
  private final boolean allowNonFinite;

  SegmentWriteTask(List<InputFile> inputs, Configuration conf, Path writeDirectory, boolean positional,
      boolean renameAttempts, boolean allowNonFinite) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.positional = positional;
    this.renameAttempts = renameAttempts;
    this.allowNonFinite = allowNonFinite;
  }

  SegmentResult write(Segment segment, long attemptId, LongConsumer progress) throws IOException {
    try (ChunkProducer producer = positional
        ? ChunkProducer.forMerge(inputs, conf, allowNonFinite, segment.chunks())
        : ChunkProducer.forWholeChunks(inputs, conf, allowNonFinite, segment.chunks())) {
      int crc = positional ? writeAtPositions(segment, producer, progress) : stream(segment, attemptId, producer, progress);
      WrittenRange range = new WrittenRange(segment.shard(), segment.offset(), segment.bytes(), crc);
      SegmentRecords.record(Storage.fileSystem(writeDirectory, conf), writeDirectory, segment, range);
      return new SegmentResult(range, producer.bytesRead());
    }
  }

  private int writeAtPositions(Segment segment, ChunkProducer producer, LongConsumer progress) throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of(URI.create(new Path(writeDirectory, segment.fileName()).toString()));
    CRC32C crc = new CRC32C();
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      long[] position = {segment.offset()};
      ChunkProducer.PieceSink sink = piece -> {
        crc.update(piece.duplicate());
        int length = piece.remaining();
        for (long at = position[0]; piece.hasRemaining(); ) {
          at += channel.write(piece, at);
        }
        position[0] += length;
      };
      if (segment.header() != null) {
        sink.accept(ByteBuffer.wrap(segment.header()));
      }
      for (Chunk chunk : segment.chunks()) {
        producer.produce(chunk, sink);
        progress.accept(chunk.outBytes());
      }
    }
    return (int) crc.getValue();
  }

  private int stream(Segment segment, long attemptId, ChunkProducer producer, LongConsumer progress)
      throws IOException {
    Path target = new Path(writeDirectory, segment.fileName());
    Path attemptFile = renameAttempts
        ? new Path(writeDirectory, "." + segment.fileName() + ".attempt-" + attemptId)
        : target;
    FileSystem fs = Storage.fileSystem(target, conf);
    CRC32C crc = new CRC32C();
    boolean complete = false;
    try (OutputStream out = fs.create(attemptFile, true)) {
      out.write(segment.header());
      crc.update(segment.header());
      for (Chunk chunk : segment.chunks()) {
        producer.produce(chunk, piece -> {
          out.write(piece.array(), piece.arrayOffset(), piece.limit());
          crc.update(piece);
        });
        progress.accept(chunk.outBytes());
      }
      complete = true;
    } finally {
      if (!complete) {
        fs.delete(attemptFile, false);
      }
    }
    long written = fs.getFileStatus(attemptFile).getLen();
    if (written != segment.bytes()) {
      fs.delete(attemptFile, false);
      throw new IOException(target + ": wrote " + written + " bytes, planned " + segment.bytes());
    }
    if (renameAttempts && !fs.rename(attemptFile, target)) {
      // Another attempt of this task got there first; its file has the same bytes.
      fs.delete(attemptFile, false);
    }
    return (int) crc.getValue();
  }
}
