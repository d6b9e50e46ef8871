package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.PlacedChunk;
import io.chatvector.plan.SweepPlan;
import java.io.IOException;
import java.io.Serializable;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;

/**
 * Executor side: computes one group of a sweep, chunk by chunk for every output in turn (so each vector chunk is
 * read once), and writes each chunk at its position in its output's shard. With keep-going, an output whose input
 * is bad is dropped from the rest of the group instead of failing the task.
 */
final class SweepGroupTask {
  /** Ranges written, per output; outputs that failed, with why; bytes read per input file. */
  record Result(Map<Integer, List<WrittenRange>> written, Map<Integer, String> failures, long[] bytesRead)
      implements Serializable {
  }

  private final List<InputFile> inputs;
  private final Configuration conf;
  private final List<String> writeDirectories;
  private final List<List<String>> shardNames;
  private final boolean allowNonFinite;
  private final boolean keepGoing;

  SweepGroupTask(List<InputFile> inputs, Configuration conf, List<String> writeDirectories,
      List<List<String>> shardNames, boolean allowNonFinite, boolean keepGoing) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectories = writeDirectories;
    this.shardNames = shardNames;
    this.allowNonFinite = allowNonFinite;
    this.keepGoing = keepGoing;
  }

  Result write(SweepPlan.Group group, LongConsumer progress) throws IOException {
    Map<Integer, List<WrittenRange>> written = new HashMap<>();
    Map<Integer, String> failures = new HashMap<>();
    Map<String, FileChannel> channels = new HashMap<>();
    List<PlacedChunk> placed = group.chunks();
    try (ChunkProducer producer = new ChunkProducer(inputs, conf, allowNonFinite,
        placed.stream().map(PlacedChunk::chunk).toList())) {
      for (PlacedChunk chunk : placed) {
        if (failures.containsKey(chunk.output())) {
          continue;
        }
        byte[] bytes;
        try {
          bytes = producer.produce(chunk.chunk());
        } catch (InvalidInputException e) {
          if (!keepGoing) {
            throw e;
          }
          failures.put(chunk.output(), e.getMessage());
          continue;
        }
        int length = chunk.chunk().outBytes();
        FileChannel channel = channels.computeIfAbsent(chunk.output() + "/" + chunk.shard(), key -> open(chunk));
        ByteBuffer buffer = ByteBuffer.wrap(bytes, 0, length);
        while (buffer.hasRemaining()) {
          channel.write(buffer, chunk.position() + buffer.position());
        }
        CRC32C crc = new CRC32C();
        crc.update(bytes, 0, length);
        written.computeIfAbsent(chunk.output(), output -> new ArrayList<>())
            .add(new WrittenRange(chunk.shard(), chunk.position(), length, (int) crc.getValue()));
        progress.accept(length);
      }
      return new Result(written, failures, producer.bytesRead());
    } finally {
      for (FileChannel channel : channels.values()) {
        channel.close();
      }
    }
  }

  private FileChannel open(PlacedChunk chunk) {
    Path file = new Path(writeDirectories.get(chunk.output()), shardNames.get(chunk.output()).get(chunk.shard()));
    try {
      return FileChannel.open(java.nio.file.Path.of(URI.create(file.toString())), StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(file + ": cannot open for writing: " + e.getMessage(), e);
    }
  }
}
