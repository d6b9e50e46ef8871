package io.chatvector.plan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.TestCheckpoints;
import io.chatvector.TestCheckpoints.Values;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a shard is cut into the tasks' segments. */
class MergePlanSegmentsTest {
  private static final int TENSORS = 20;
  private static final int TENSOR_BYTES = 4096;

  @TempDir
  Path root;

  @Test
  void segmentsAreEvenAndCoverTheShardInOrder() throws Exception {
    MergePlan plan = planOfTwentyTensors();
    ShardPlan shard = plan.shards().get(0);
    // 20 chunks of 4 KB plus the header in segments of at most ~25 KB: 4 segments, not 3 full ones and a short one.
    List<Segment> segments = plan.segments(25_000, 0);

    assertEquals(4, segments.size());
    long offset = 0;
    for (Segment segment : segments) {
      assertEquals(offset, segment.offset());
      assertEquals(segments.indexOf(segment), segment.index());
      offset += segment.bytes();
    }
    assertEquals(shard.fileLength(), offset);
    long smallest = segments.stream().mapToLong(Segment::bytes).min().orElseThrow();
    long largest = segments.stream().mapToLong(Segment::bytes).max().orElseThrow();
    assertTrue(largest - smallest <= TENSOR_BYTES + shard.header().length,
        "segments of " + segments.stream().map(Segment::bytes).toList() + " bytes");
  }

  @Test
  void noSegmentButAShardsLastIsSmallerThanTheStoresSmallestPart() throws Exception {
    MergePlan plan = planOfTwentyTensors();

    // Segments of ~8 KB asked for, but parts of an upload must be at least 12 KB (S3's rule, scaled down).
    List<Segment> segments = plan.segments(8_000, 12_000);

    assertEquals(6, segments.size(), () -> segments.stream().map(Segment::bytes).toList().toString());
    long offset = 0;
    for (Segment segment : segments) {
      assertEquals(offset, segment.offset());
      assertEquals(segment == segments.get(segments.size() - 1), segment.last());
      assertTrue(segment.last() || segment.bytes() >= 12_000, () -> segment.bytes() + " bytes");
      offset += segment.bytes();
    }
    assertEquals(plan.shards().get(0).fileLength(), offset);
  }

  @Test
  void oneSegmentPerShardWithoutALimit() throws Exception {
    MergePlan plan = planOfTwentyTensors();

    List<Segment> segments = plan.segments(Long.MAX_VALUE, 0);

    assertEquals(1, segments.size());
    assertEquals(plan.shards().get(0).fileLength(), segments.get(0).bytes());
    assertEquals(TENSORS, segments.get(0).chunks().size());
  }

  private MergePlan planOfTwentyTensors() throws Exception {
    Map<String, Values> tensors = new LinkedHashMap<>();
    for (int t = 0; t < TENSORS; t++) {
      tensors.put(String.format("layer.%02d", t), Values.of(DType.F32, new long[] {TENSOR_BYTES / 4},
          new float[TENSOR_BYTES / 4]));
    }
    TestCheckpoints.write(root.resolve("cp"), tensors);
    TestCheckpoints.write(root.resolve("v"), tensors);
    Configuration conf = new Configuration();
    return MergePlanner.merge(Checkpoint.open(root.resolve("cp").toString(), conf),
        List.of(VectorInput.stored(1, Checkpoint.open(root.resolve("v").toString(), conf))),
        new PlanOptions(null, null, EmbeddingsMode.ERROR, TENSOR_BYTES, 1 << 30, Map.of()));
  }
}
