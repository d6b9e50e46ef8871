package io.chatvector.spark;

import static io.chatvector.TestCheckpoints.tensors;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatvector.InvalidInputException;
import io.chatvector.TestCheckpoints;
import io.chatvector.TestCheckpoints.Values;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.OutputDirectory;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import io.chatvector.plan.PlanOptions;
import io.chatvector.plan.VectorInput;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An input shard replaced between planning and the job, even with the same size, fails the job cleanly. */
class InputChangedTest {
  @TempDir
  Path root;

  @Test
  void aShardReplacedAfterPlanningIsDetected() throws Exception {
    TestCheckpoints.write(root.resolve("cp"), tensors("w", Values.of(DType.F32, new long[] {4}, 1, 2, 3, 4)));
    TestCheckpoints.write(root.resolve("v"), tensors("w", Values.of(DType.F32, new long[] {4}, 0, 0, 0, 0)));
    Configuration conf = new Configuration();
    Checkpoint cp = Checkpoint.open(root.resolve("cp").toString(), conf);
    Checkpoint vector = Checkpoint.open(root.resolve("v").toString(), conf);
    MergePlan plan = MergePlanner.merge(cp, List.of(VectorInput.stored(1, vector)),
        new PlanOptions(null, null, EmbeddingsMode.ERROR, 1 << 20, 1 << 30, Map.of()));

    // Same size, other bytes, a later modification time: what a re-upload looks like.
    TestCheckpoints.write(root.resolve("cp"), tensors("w", Values.of(DType.F32, new long[] {4}, 9, 9, 9, 9)));
    Path shard = root.resolve("cp/model.safetensors");
    Files.setLastModifiedTime(shard, FileTime.fromMillis(Files.getLastModifiedTime(shard).toMillis() + 5000));

    OutputDirectory output = OutputDirectory.check(root.resolve("out").toString(), false,
        List.of(cp.directory(), vector.directory()), conf);
    try (JavaSparkContext spark = new JavaSparkContext(new SparkConf().setMaster("local[1]").setAppName("changed")
        .set("spark.ui.enabled", "false"))) {
      Exception e = assertThrows(Exception.class, () -> MergeJob.run(spark, conf, "merge", plan,
          plan.segments(1 << 20, 0), output, cp.directory(), null, false, false, new ObjectMapper().createObjectNode(),
          new PrintWriter(new StringWriter())));
      InvalidInputException cause = null;
      for (Throwable t = e; t != null; t = t.getCause()) {
        cause = t instanceof InvalidInputException invalid ? invalid : cause;
      }
      assertTrue(cause != null && cause.getMessage().contains("model.safetensors: input file changed after planning"),
          e::toString);
    }
    assertFalse(Files.exists(root.resolve("out")));
    assertFalse(Files.exists(root.resolve(".out.chatvector-staging")));
  }
}
