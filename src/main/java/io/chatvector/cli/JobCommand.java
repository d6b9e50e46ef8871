package io.chatvector.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.Sizes;
import io.chatvector.io.OutputDirectory;
import io.chatvector.plan.MergePlan;
import io.chatvector.spark.JobSummary;
import io.chatvector.spark.MergeJob;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A command that plans on the driver from headers, then writes a checkpoint with a Spark job. */
abstract class JobCommand implements Callable<Integer> {
  @Mixin
  SparkOptions spark;

  @Mixin
  JobOptions job;

  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Output checkpoint directory.")
  String out;

  @Spec
  CommandSpec spec;

  @ParentCommand
  ChatVectorCommand root;

  Configuration hadoopConf() {
    return spark.hadoopConf(spec.name());
  }

  /** The provenance record, to which each command adds its inputs. */
  ObjectNode provenance() {
    return job.provenance(spec.name());
  }

  /** Checks the output, then runs the plan on Spark (or only prints it, with --dry-run). */
  int execute(Configuration conf, MergePlan plan, List<Path> inputs, Path modelFiles, Path chatTemplate,
      ObjectNode provenance) throws Exception {
    PrintWriter console = spec.commandLine().getOut();
    OutputDirectory output = OutputDirectory.check(out, job.overwrite, inputs, conf);
    if (job.dryRun) {
      printPlan(plan, output, job.segmentSize, console);
      return 0;
    }
    ObjectNode tensors = provenance.putObject("tensors");
    plan.actions().forEach((action, count) -> tensors.put(action.name().toLowerCase(java.util.Locale.ROOT), count));
    JavaSparkContext context = root.contexts.acquire(spark.sparkConf(spec.name()));
    try {
      JobSummary summary = MergeJob.run(context, conf, spec.name(), plan, output, modelFiles, chatTemplate,
          job.allowNonFinite, job.segmentSize, job.resume, provenance, spec.commandLine().getErr());
      summary.print(console);
      return 0;
    } finally {
      root.contexts.release(context);
    }
  }

  private static void printPlan(MergePlan plan, OutputDirectory output, long segmentSize, PrintWriter out) {
    out.printf("plan for %s (dry run, no tensor data read)%n", output.target());
    plan.actions().forEach((action, count) -> out.printf("  %6d tensors %s%n", count, action.description()));
    int tasks = plan.segments(output.writesAtPositions() ? segmentSize : Long.MAX_VALUE).size();
    out.printf("  records:  %d chunks in %d tasks%n", plan.chunkCount(), tasks);
    out.printf("  read:     %s from %d input files%n", Sizes.format(plan.readBytes()), plan.inputs().size());
    out.printf("  write:    %s in %d shards%n", Sizes.format(plan.outputBytes()), plan.shards().size());
    out.printf("  memory:   %s of chunk buffers per running task%n", Sizes.format(plan.taskBufferBytes()));
    out.flush();
  }
}
