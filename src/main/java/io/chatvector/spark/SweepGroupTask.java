package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.io.Storage;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.PlacedChunk;
import io.chatvector.plan.SweepPlan;
import java.io.IOException;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.util.LongAccumulator;

/**
 * Executor side: computes one group of a sweep, chunk by chunk for every output in turn (so each vector chunk is
 * read once). On local disk each chunk is written at its position in its output's shard; elsewhere each run of
 * adjacent chunks becomes a part file, named after the task attempt, that the assembly stage puts in order. With
 * keep-going, an output whose input is bad is dropped from the rest of the group instead of failing the task. It
 * is the function Spark ships, so it holds only small, serializable state.
 */
final class SweepGroupTask implements Function<SweepGroupTask.Work, SweepGroupTask.Result> {
  static final String PARTS = "_chatvector_parts";

  /** A run of bytes written: into the shard at its position, or into {@code partFile} for assembly. */
  record Written(WrittenRange range, String partFile) implements Serializable {
  }

  /** What was written, per output; outputs that failed, with why; bytes read per input file. */
  record Result(Map<Integer, List<Written>> written, Map<Integer, String> failures, long[] bytesRead)
      implements Serializable {
  }

  private final List<InputFile> inputs;
  private final SerializableConfiguration conf;
  private final List<String> writeDirectories;
  private final List<List<String>> shardNames;
  private final boolean positional;
  private final boolean allowNonFinite;
  private final boolean keepGoing;
  private final LongAccumulator bytesWritten;

  SweepGroupTask(List<InputFile> inputs, SerializableConfiguration conf, List<String> writeDirectories,
      List<List<String>> shardNames, boolean positional, boolean allowNonFinite, boolean keepGoing,
      LongAccumulator bytesWritten) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectories = writeDirectories;
    this.shardNames = shardNames;
    this.positional = positional;
    this.allowNonFinite = allowNonFinite;
    this.keepGoing = keepGoing;
    this.bytesWritten = bytesWritten;
  }

  /** A group to compute and its fingerprint, under which it is recorded when done (for resuming). */
  record Work(SweepPlan.Group group, String fingerprint) implements Serializable {
  }

  @Override
  public Result call(Work work) throws IOException {
    long attemptId = TaskContext.get().taskAttemptId();
    SweepPlan.Group group = work.group();
    Map<Integer, List<Written>> written = new HashMap<>();
    Map<Integer, String> failures = new HashMap<>();
    Map<String, FileChannel> channels = new HashMap<>();
    Map<String, PartRun> parts = new HashMap<>();
    List<PlacedChunk> placed = group.chunks();
    try (ChunkProducer producer = ChunkProducer.forWholeChunks(inputs, conf.get(), allowNonFinite,
        placed.stream().map(PlacedChunk::chunk).toList())) {
      for (PlacedChunk chunk : placed) {
        if (failures.containsKey(chunk.output())) {
          continue;
        }
        ByteBuffer[] produced = new ByteBuffer[1];
        try {
          producer.produce(chunk.chunk(), piece -> produced[0] = piece);
        } catch (InvalidInputException e) {
          if (!keepGoing) {
            throw e;
          }
          failures.put(chunk.output(), e.getMessage());
          continue;
        }
        List<Written> ofOutput = written.computeIfAbsent(chunk.output(), o -> new ArrayList<>());
        String shard = chunk.output() + "/" + chunk.shard();
        if (positional) {
          FileChannel channel = channels.get(shard);
          if (channel == null) {
            channel = FileChannel.open(java.nio.file.Path.of(URI.create(shardPath(chunk).toString())),
                StandardOpenOption.WRITE);
            channels.put(shard, channel);
          }
          ofOutput.add(writeAt(channel, chunk, produced[0]));
        } else {
          PartRun run = parts.get(shard);
          if (run != null && run.end != chunk.position()) {
            ofOutput.add(run.close());
            run = null;
          }
          if (run == null) {
            run = new PartRun(chunk, attemptId);
            parts.put(shard, run);
          }
          run.write(chunk, produced[0]);
        }
        bytesWritten.add(chunk.chunk().outBytes());
      }
      for (Map.Entry<String, PartRun> run : parts.entrySet()) {
        int output = Integer.parseInt(run.getKey().substring(0, run.getKey().indexOf('/')));
        written.computeIfAbsent(output, o -> new ArrayList<>()).add(run.getValue().close());
      }
      parts.clear();
      for (Map.Entry<Integer, List<Written>> output : written.entrySet()) {
        if (!failures.containsKey(output.getKey())) {
          Path directory = new Path(writeDirectories.get(output.getKey()));
          SegmentRecords.recordGroup(Storage.fileSystem(directory, conf.get()), directory, group.index(), work.fingerprint(),
              output.getValue());
        }
      }
      return new Result(written, failures, producer.bytesRead());
    } finally {
      for (FileChannel channel : channels.values()) {
        channel.close();
      }
      for (PartRun run : parts.values()) {
        run.out.close();
      }
    }
  }

  private static Written writeAt(FileChannel channel, PlacedChunk chunk, ByteBuffer bytes) throws IOException {
    int length = chunk.chunk().outBytes();
    CRC32C crc = new CRC32C();
    crc.update(bytes.duplicate());
    while (bytes.hasRemaining()) {
      channel.write(bytes, chunk.position() + bytes.position());
    }
    return new Written(new WrittenRange(chunk.shard(), chunk.position(), length, (int) crc.getValue()), null);
  }

  private Path shardPath(PlacedChunk chunk) {
    return new Path(writeDirectories.get(chunk.output()), shardNames.get(chunk.output()).get(chunk.shard()));
  }

  /** Adjacent chunks of one output shard, streamed into one part file named after the task attempt. */
  private final class PartRun {
    private final int shard;
    private final long start;
    private final Path part;
    private final OutputStream out;
    private final CRC32C crc = new CRC32C();
    private long end;

    PartRun(PlacedChunk first, long attemptId) throws IOException {
      Path shardFile = shardPath(first);
      this.shard = first.shard();
      this.start = first.position();
      this.end = start;
      this.part = new Path(new Path(new Path(shardFile.getParent(), PARTS), shardFile.getName()),
          String.format("%020d.%d.part", start, attemptId));
      this.out = Storage.fileSystem(part, conf.get()).create(part, true);
    }

    void write(PlacedChunk chunk, ByteBuffer bytes) throws IOException {
      out.write(bytes.array(), bytes.arrayOffset(), chunk.chunk().outBytes());
      crc.update(bytes);
      end += chunk.chunk().outBytes();
    }

    Written close() throws IOException {
      out.close();
      return new Written(new WrittenRange(shard, start, end - start, (int) crc.getValue()), part.toString());
    }
  }
}
