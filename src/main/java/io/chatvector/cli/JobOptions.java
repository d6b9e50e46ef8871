package io.chatvector.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.format.DType;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.PlanOptions;
import io.chatvector.plan.SegmentSizing;
import java.util.Map;
import java.util.regex.Pattern;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Option;

/** Options shared by the commands that write a checkpoint. */
final class JobOptions {
  @Option(names = "--dtype", paramLabel = "F32|BF16|F16", converter = Converters.OutputType.class,
      description = "Type of computed tensors (default: the CP's, or the chat model's when extracting).")
  DType dtype;

  @Option(names = "--exclude", paramLabel = "REGEX", converter = Converters.Regex.class,
      description = "Tensors whose name contains a match are left out of a vector, or left as the CP has them.")
  Pattern exclude;

  @Option(names = "--max-shard-size", paramLabel = "SIZE", converter = Converters.Size.class,
      defaultValue = "5GB", description = "Largest output shard, decimal units as in Hugging Face (default: ${DEFAULT-VALUE}).")
  long maxShardSize;

  @Option(names = "--chunk-size", paramLabel = "SIZE", converter = Converters.Size.class, defaultValue = "32MB",
      description = "Largest chunk of one tensor read or written at once; bounds memory (default: ${DEFAULT-VALUE}).")
  long chunkSize;

  @Option(names = "--segment-size", paramLabel = "SIZE", converter = Converters.SizeOrAuto.class,
      defaultValue = "auto", description = "Shards are written by parallel tasks in segments of about this size "
          + "(default: auto, the output spread evenly over the cluster's task slots, 64 MiB to 1 GiB a segment).")
  long segmentSize;

  @Option(names = "--overwrite", description = "Replace an existing output.")
  boolean overwrite;

  @Option(names = "--resume", description = "Keep what a failed run of the same job finished (each segment checked "
      + "against the checksum recorded when it was written) and do the rest.")
  boolean resume;

  @Option(names = "--allow-nonfinite", description = "Accept NaN and infinite values instead of failing.")
  boolean allowNonFinite;

  @Option(names = "--dry-run", description = "Plan from the headers and print the plan; read no tensor data.")
  boolean dryRun;

  PlanOptions planOptions(EmbeddingsMode embeddings, Map<String, String> metadata) {
    return new PlanOptions(dtype, exclude, embeddings, chunkSize, maxShardSize, metadata);
  }

  /** The provenance record of a command with these options; the command adds its inputs. */
  ObjectNode provenance(String command) {
    ObjectNode record = new ObjectMapper().createObjectNode()
        .put("tool", "chatvector-spark")
        .put("version", Version.current())
        .put("command", command);
    record.putObject("options")
        .put("dtype", dtype == null ? null : dtype.name())
        .put("exclude", exclude == null ? null : exclude.pattern())
        .put("max_shard_size", maxShardSize)
        .put("chunk_size", chunkSize)
        .put("allow_nonfinite", allowNonFinite);
    return record;
  }

  /** The segment size asked for, or by default the output spread over the task slots the configuration tells. */
  long segmentBytes(long outputBytes, SparkConf sparkConf) {
    return segmentSize > 0 ? segmentSize : SegmentSizing.forOutput(outputBytes, TaskSlots.of(sparkConf));
  }
}
