package io.chatvector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.Storage;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import io.chatvector.plan.PlanOptions;
import io.chatvector.spark.VerifyJob;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true,
    description = {"Check a checkpoint's format, checksums and, given its inputs, its content.",
        "Every format rule, every shard's size and CRC32C as recorded when written, and, given its inputs, a "
            + "sample of chunks recomputed and compared byte for byte. Exit 0 only when it is what it claims to be. "
            + "Inputs: --against CP with --vector or --base/--chat (a merge), or --base and --chat alone (a vector). "
            + "Options not given are taken from the checkpoint's chatvector.json."})
final class VerifyCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "The checkpoint to check.")
  String path;

  @Option(names = "--against", paramLabel = "DIR", description = "The CP model the checkpoint was merged into.")
  String against;

  @Mixin
  TermOptions terms;

  @Option(names = "--ratio", paramLabel = "R", description = "Fused form: the ratio used (default 1.0).")
  Float ratio;

  @Option(names = "--embeddings", paramLabel = "error|skip|overlap", description = "As given to merge.")
  EmbeddingsMode embeddings;

  @Option(names = "--exclude", paramLabel = "REGEX", converter = Converters.Regex.class, description = "As given.")
  Pattern exclude;

  @Option(names = "--dtype", paramLabel = "F32|BF16|F16", converter = Converters.OutputType.class,
      description = "As given.")
  DType dtype;

  @Option(names = "--sample", defaultValue = "64", paramLabel = "N",
      description = "Chunks to recompute, the first and last among them; a number at least the chunk count checks "
          + "every chunk (default: ${DEFAULT-VALUE}).")
  int sample;

  @Option(names = "--seed", defaultValue = "0", description = "Which chunks are sampled (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  SparkOptions spark;

  @Spec
  CommandSpec spec;

  @ParentCommand
  ChatVectorCommand root;

  @Override
  public Integer call() throws Exception {
    Configuration conf = spark.hadoopConf("verify");
    Checkpoint written = Checkpoint.open(path, conf);
    JsonNode provenance = CheckpointFiles.readJson(Storage.fileSystem(written.directory(), conf),
        new Path(written.directory(), CheckpointFiles.PROVENANCE_FILE));
    MergePlan plan = plan(conf, provenance.path("options"));
    List<VerifyJob.RecordedShard> recorded = new ArrayList<>();
    for (JsonNode shard : provenance.path("shards")) {
      recorded.add(new VerifyJob.RecordedShard(new Path(written.directory(), shard.path("file").asText()).toString(),
          shard.path("bytes").asLong(), shard.path("crc32c").asText()));
    }
    JavaSparkContext context = root.contexts.acquire(spark.sparkConf("verify"));
    try {
      List<String> problems = new ArrayList<>(VerifyJob.checkShards(context, conf, recorded));
      VerifyJob.Outcome content = plan == null ? null : VerifyJob.checkChunks(context, conf, plan, written,
          provenance.path("options").path("allow_nonfinite").asBoolean(false), sample, seed);
      if (content != null) {
        problems.addAll(content.problems());
      }
      if (!problems.isEmpty()) {
        throw new InvalidInputException(written.directory() + ": " + problems.get(0)
            + (problems.size() > 1 ? " (and " + (problems.size() - 1) + " more problems)" : ""));
      }
      PrintWriter out = spec.commandLine().getOut();
      out.printf("verify ok: %s%n", written.directory());
      out.printf("  format:    %d tensors in %d files, every header and the index valid%n", written.tensors().size(),
          written.files().size());
      out.printf("  checksums: %s%n", recorded.isEmpty() ? "none recorded" : recorded.size() + " of "
          + recorded.size() + " shards match " + CheckpointFiles.PROVENANCE_FILE);
      out.printf("  content:   %s%n", content == null ? "not checked (no inputs given)" : content.chunksChecked()
          + " of " + content.chunksPlanned() + " chunks recomputed from the inputs, identical");
      out.flush();
      return 0;
    } finally {
      root.contexts.release(context);
    }
  }

  /** The plan the checkpoint should match, from the inputs given; null when none are. */
  private MergePlan plan(Configuration conf, JsonNode recorded) throws java.io.IOException {
    DType outType = dtype != null ? dtype
        : recorded.path("dtype").isTextual() ? DType.parseOutputType(recorded.path("dtype").asText()) : null;
    Pattern excluded = exclude != null ? exclude
        : recorded.path("exclude").isTextual() ? Pattern.compile(recorded.path("exclude").asText()) : null;
    EmbeddingsMode mode = embeddings != null ? embeddings
        : recorded.path("embeddings").isTextual()
            ? EmbeddingsMode.valueOf(recorded.path("embeddings").asText().toUpperCase(Locale.ROOT))
            : EmbeddingsMode.ERROR;
    PlanOptions options = new PlanOptions(outType, excluded, mode, PlanOptions.DEFAULT_CHUNK_BYTES,
        PlanOptions.DEFAULT_MAX_SHARD_SIZE, Map.of());
    if (against != null) {
      MergeInputs inputs = MergeInputs.open(spec.commandLine(), against, terms, ratio, conf);
      return MergePlanner.merge(inputs.cp, inputs.terms, options);
    }
    if (terms.base != null && terms.chat != null && terms.vectors.isEmpty() && ratio == null) {
      return MergePlanner.extract(Checkpoint.open(terms.base, conf), Checkpoint.open(terms.chat, conf), options);
    }
    if (terms.base != null || terms.chat != null || !terms.vectors.isEmpty() || ratio != null) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(),
          "Give --against CP with --vector or --base/--chat for a merge, or --base and --chat for a vector");
    }
    return null;
  }
}
