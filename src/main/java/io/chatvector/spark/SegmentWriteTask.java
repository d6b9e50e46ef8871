package io.chatvector.spark;

import io.chatvector.io.ShardParts;
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
import java.util.Map;
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
 * same places. On stores that join parts (HDFS, S3A), segments of one shard are written in parallel as parts of its
 * upload, which the driver completes. Elsewhere a segment is a whole shard, streamed to the store: where rename is
 * atomic, under a per-attempt name renamed into place when complete; on object stores, whose uploads appear only
 * when complete, under its final name. Holds only small, serializable state.
 */
final class SegmentWriteTask implements Function<Segment, SegmentResult> {
  private final List<InputFile> inputs;
  private final SerializableConfiguration conf;
  private final String writeDirectory;
  private final boolean positional;
  private final boolean renameAttempts;
  private final ShardParts parts;
  private final Map<Integer, byte[]> uploads;
  private final boolean allowNonFinite;
  private final LongAccumulator bytesWritten;

  /**
   * @param parts how shards are written in parts, or null
   * @param uploads with parts, each shard's upload handle
   */
  SegmentWriteTask(List<InputFile> inputs, SerializableConfiguration conf, String writeDirectory, boolean positional,
      boolean renameAttempts, ShardParts parts, Map<Integer, byte[]> uploads, boolean allowNonFinite,
      LongAccumulator bytesWritten) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.positional = positional;
    this.renameAttempts = renameAttempts;
    this.parts = parts;
    this.uploads = uploads;
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
      if (parts != null) {
        return writePart(segment, directory, hadoop, producer);
      }
      int crc = positional
          ? writeAtPositions(segment, directory, producer)
          : stream(segment, directory, hadoop, TaskContext.get().taskAttemptId(), producer);
      WrittenRange range = new WrittenRange(segment.shard(), segment.offset(), segment.bytes(), crc);
      SegmentRecords.record(Storage.fileSystem(directory, hadoop), directory, segment, range);
      return new SegmentResult(range, producer.bytesRead(), null);
    }
  }

  /** The segment as a part of its shard's upload; the driver records it once the shard is complete. */
  private SegmentResult writePart(Segment segment, Path directory, Configuration hadoop, ChunkProducer producer)
      throws IOException {
    Path shard = new Path(directory, segment.fileName());
    CRC32C crc = new CRC32C();
    try (ShardParts.PartOutput out = parts.open(hadoop, uploads.get(segment.shard()), shard, segment.index(),
        segment.last(), TaskContext.get().taskAttemptId())) {
      CountingSink sink = new CountingSink(out, crc);
      produce(segment, producer, sink);
      if (sink.bytes != segment.bytes()) {
        throw new IOException(shard + ": part " + segment.index() + " has " + sink.bytes + " bytes, planned "
            + segment.bytes());
      }
      byte[] receipt = out.commit();
      WrittenRange range = new WrittenRange(segment.shard(), segment.offset(), segment.bytes(), (int) crc.getValue());
      return new SegmentResult(range, producer.bytesRead(), receipt);
    }
  }

  /** The segment's bytes, in order: the shard's header first if this is its first segment, then its chunks. */
  private void produce(Segment segment, ChunkProducer producer, ChunkProducer.PieceSink sink) throws IOException {
    if (segment.header() != null) {
      sink.accept(ByteBuffer.wrap(segment.header()));
    }
    for (Chunk chunk : segment.chunks()) {
      producer.produce(chunk, sink);
      bytesWritten.add(chunk.outBytes());
    }
  }

  /** Writes heap pieces to a stream, checksumming and counting them. */
  private static final class CountingSink implements ChunkProducer.PieceSink {
    private final OutputStream out;
    private final CRC32C crc;
    private long bytes;

    CountingSink(OutputStream out, CRC32C crc) {
      this.out = out;
      this.crc = crc;
    }

    @Override
    public void accept(ByteBuffer piece) throws IOException {
      bytes += piece.remaining();
      out.write(piece.array(), piece.arrayOffset() + piece.position(), piece.remaining());
      crc.update(piece);
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
      produce(segment, producer, sink);
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
    CountingSink sink;
    boolean complete = false;
    try (OutputStream out = fs.create(attemptFile, true)) {
      sink = new CountingSink(out, crc);
      produce(segment, producer, sink);
      complete = true;
    } finally {
      if (!complete) {
        fs.delete(attemptFile, false);
      }
    }
    long written = sink.bytes;
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
