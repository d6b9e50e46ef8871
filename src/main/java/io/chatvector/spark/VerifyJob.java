package io.chatvector.spark;

import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import io.chatvector.io.Crc32c;
import io.chatvector.io.Storage;
import io.chatvector.plan.Chunk;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.ShardPlan;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * Checks a written checkpoint on executors: each shard's size and CRC32C against what was recorded when it was
 * written, and, given the inputs, a sample of chunks recomputed and compared byte for byte.
 */
public final class VerifyJob {
  private VerifyJob() {
  }

  /** A shard and what its provenance recorded. */
  public record RecordedShard(String path, long bytes, String crc32c) implements Serializable {
  }

  /** A planned chunk and where its bytes are in the checkpoint under test. */
  record SampledChunk(Chunk chunk, String file, long position) implements Serializable {
  }

  /** Problems found in the shards' sizes and checksums; empty when all match. */
  public static List<String> checkShards(JavaSparkContext spark, Configuration conf, List<RecordedShard> shards) {
    if (shards.isEmpty()) {
      return List.of();
    }
    return ItemJob.map(spark, conf, "verify: checksums of " + shards.size() + " shards", shards, shards.size(),
        ChecksumFunction::new).stream().filter(problem -> !problem.isEmpty()).toList();
  }

  /**
   * Tensors the plan and the checkpoint disagree on (names, dtypes, shapes), then differences in {@code sample}
   * chunks (always the first and the last) recomputed from the inputs.
   */
  public static Outcome checkChunks(JavaSparkContext spark, Configuration conf, MergePlan plan, Checkpoint written,
      boolean allowNonFinite, int sample, long seed) {
    List<String> problems = new ArrayList<>();
    List<Chunk> chunks = new ArrayList<>();
    TreeSet<String> unplanned = new TreeSet<>(written.tensors().stream().map(CheckpointTensor::name).toList());
    for (ShardPlan shard : plan.shards()) {
      shard.tensors().forEach(expected -> {
        unplanned.remove(expected.name());
        CheckpointTensor actual = written.tensor(expected.name());
        if (actual == null) {
          problems.add("tensor '" + expected.name() + "' is missing");
        } else if (actual.info().dtype() != expected.dtype()
            || !Arrays.equals(actual.info().shape(), expected.shape())) {
          problems.add("tensor '" + expected.name() + "' is " + actual.info().dtype() + " " + actual.info().shapeString()
              + ", expected " + expected.dtype() + " " + expected.shapeString());
        }
      });
      chunks.addAll(shard.chunks());
    }
    unplanned.forEach(name -> problems.add("tensor '" + name + "' should not be there"));
    if (!problems.isEmpty() || chunks.isEmpty()) {
      return new Outcome(problems, 0, chunks.size());
    }
    List<SampledChunk> sampled = new ArrayList<>();
    for (int index : sampleIndices(chunks.size(), sample, seed)) {
      Chunk chunk = chunks.get(index);
      CheckpointTensor target = written.tensor(chunk.tensor());
      sampled.add(new SampledChunk(chunk, target.file(), target.dataPosition() + chunk.outOffset()));
    }
    int partitions = Math.max(1, Math.min(sampled.size(), spark.defaultParallelism() * 2));
    problems.addAll(ItemJob.run(spark, conf, "verify: recompute " + sampled.size() + " chunks", sampled, partitions,
        taskConf -> new RecomputeFunction(plan.inputs(), taskConf, allowNonFinite)));
    return new Outcome(problems, sampled.size(), chunks.size());
  }

  public record Outcome(List<String> problems, int chunksChecked, int chunksPlanned) {
  }

  private static TreeSet<Integer> sampleIndices(int count, int sample, long seed) {
    TreeSet<Integer> indices = new TreeSet<>(List.of(0, count - 1));
    SplittableRandom random = new SplittableRandom(seed);
    while (indices.size() < Math.min(count, Math.max(sample, 2))) {
      indices.add(random.nextInt(count));
    }
    return indices;
  }

  private static final class ChecksumFunction implements Function<RecordedShard, String> {
    private final SerializableConfiguration conf;

    ChecksumFunction(SerializableConfiguration conf) {
      this.conf = conf;
    }

    @Override
    public String call(RecordedShard shard) throws IOException {
      Path path = new Path(shard.path());
      FileSystem fs = Storage.fileSystem(path, conf.get());
      long bytes = fs.getFileStatus(path).getLen();
      String actual = String.format("%08x", Crc32c.ofRange(fs, path, 0, bytes));
      if (bytes != shard.bytes() || !actual.equals(shard.crc32c())) {
        return shard.path() + ": " + bytes + " bytes with CRC32C " + actual + ", but " + shard.bytes()
            + " bytes with CRC32C " + shard.crc32c() + " were written";
      }
      return "";
    }
  }

  private static final class RecomputeFunction implements ItemJob.PartitionFunction<SampledChunk, String> {
    private final List<InputFile> inputs;
    private final SerializableConfiguration conf;
    private final boolean allowNonFinite;

    RecomputeFunction(List<InputFile> inputs, SerializableConfiguration conf, boolean allowNonFinite) {
      this.inputs = inputs;
      this.conf = conf;
      this.allowNonFinite = allowNonFinite;
    }

    @Override
    public List<String> apply(Iterator<SampledChunk> partition) throws IOException {
      List<SampledChunk> sampled = new ArrayList<>();
      partition.forEachRemaining(sampled::add);
      List<String> problems = new ArrayList<>();
      Configuration hadoop = conf.get();
      try (ChunkProducer producer = ChunkProducer.forWholeChunks(inputs, hadoop, allowNonFinite,
          sampled.stream().map(SampledChunk::chunk).toList())) {
        for (SampledChunk sample : sampled) {
          Chunk chunk = sample.chunk();
          byte[] expected = new byte[chunk.outBytes()];
          producer.produce(chunk, piece -> piece.get(expected));
          byte[] actual = new byte[chunk.outBytes()];
          Path file = new Path(sample.file());
          try (FSDataInputStream in = Storage.fileSystem(file, hadoop).open(file)) {
            in.readFully(sample.position(), actual);
          }
          int differs = Arrays.mismatch(expected, 0, chunk.outBytes(), actual, 0, chunk.outBytes());
          if (differs >= 0) {
            problems.add("tensor '" + chunk.tensor() + "' differs from its recomputed value at byte "
                + (chunk.outOffset() + differs) + " of its data");
          }
        }
      }
      return problems;
    }
  }
}
