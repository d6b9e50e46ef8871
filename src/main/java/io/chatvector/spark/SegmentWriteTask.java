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
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.LongAccumulator;

/**
 * Executor side, the function Spark ships: writes one segment of a shard. On local disk segments of one shard are
 * written in parallel at their positions in the file; retried or speculative attempts write the same bytes at the
 * same places. Elsewhere a segment is a whole shard, streamed to the store: where rename is atomic, under a
 * per-attempt name renamed into place when complete; on object stores, whose uploads appear only when complete,
 * under its final name. Holds only small, serializable state.
 */
final class SegmentWriteTask implements Function<Segment, SegmentResult> {
  private final List<InputFile> inputs;
  private final SerializableConfiguration conf;
  private final String writeDirectory;
  private final boolean positional;
  private final boolean renameAttempts;
  private final boolean allowNonFinite;
  private final LongAccumulator bytesWritten;

  SegmentWriteTask(List<InputFile> inputs, SerializableConfiguration conf, String writeDirectory, boolean positional,
      boolean renameAttempts, boolean allowNonFinite, LongAccumulator bytesWritten) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.positional = positional;
    this.renameAttempts = renameAttempts;
    this.allowNonFinite = allowNonFinite;
    this.bytesWritten = bytesWritten;
  }

  @Override
  public SegmentResult call(Segment segment) throws IOException {
    Configuration hadoop = conf.get();
    Path directory = new Path(writeDirectory);
    try (ChunkProducer producer = positional
        ? ChunkProducer.forMerge(inputs, hadoop, allowNonFinite, segment.chunks())
        : ChunkProducer.forWholeChunks(inputs, hadoop, allowNonFinite, segment.chunks())) {
      int crc = positional
          ? writeAtPositions(segment, directory, producer)
          : stream(segment, directory, hadoop, TaskContext.get().taskAttemptId(), producer);
      WrittenRange range = new WrittenRange(segment.shard(), segment.offset(), segment.bytes(), crc);
      SegmentRecords.record(Storage.fileSystem(directory, hadoop), directory, segment, range);
      return new SegmentResult(range, producer.bytesRead());
    }
  }

  private int writeAtPositions(Segment segment, Path directory, ChunkProducer producer) throws IOException {
    java.nio.file.Path file = java.nio.file.Path.of(URI.create(new Path(directory, segment.fileName()).toString()));
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
        bytesWritten.add(chunk.outBytes());
      }
    }
    return (int) crc.getValue();
  }

  private int stream(Segment segment, Path directory, Configuration hadoop, long attemptId, ChunkProducer producer)
      throws IOException {
    Path target = new Path(directory, segment.fileName());
    Path attemptFile = renameAttempts
        ? new Path(directory, "." + segment.fileName() + ".attempt-" + attemptId)
        : target;
    FileSystem fs = Storage.fileSystem(target, hadoop);
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
        bytesWritten.add(chunk.outBytes());
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
