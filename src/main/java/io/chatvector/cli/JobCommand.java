package io.chatvector.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.Sizes;
import io.chatvector.io.OutputDirectory;
import io.chatvector.merge.KernelWarmUp;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.Segment;
import io.chatvector.spark.JobSummary;
import io.chatvector.spark.MergeJob;
import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
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

  /** What a command planned from the headers, and what its output gets besides the shards. */
  record Planned(MergePlan plan, List<Path> inputs, Path modelFiles, Path chatTemplate, ObjectNode provenance) {
  }

  /** Reads the inputs' headers and plans; runs while Spark starts. */
  abstract Planned plan(Configuration conf) throws Exception;

  /** Plans while Spark starts, checks the output, then runs the plan on Spark (or only prints it, with --dry-run). */
  @Override
  public final Integer call() throws Exception {
    SparkConf sparkConf = spark.sparkConf(spec.name());
    // Spark first: its start is the longest step before the job, and Hadoop's configuration takes a while too.
    try (StartingContext context = job.dryRun ? null : StartingContext.start(root.contexts, sparkConf)) {
      Configuration conf = hadoopConf();
      Planned planned = plan(conf);
      PrintWriter console = spec.commandLine().getOut();
      OutputDirectory output = OutputDirectory.check(out, job.overwrite, planned.inputs(), conf);
      List<Segment> segments = planned.plan().segments(
          output.segmentBytes(job.segmentBytes(planned.plan().outputBytes(), sparkConf)), output.minSegmentBytes());
      if (job.dryRun) {
        printPlan(planned.plan(), segments.size(), output, console);
        return 0;
      }
      ObjectNode tensors = planned.provenance().putObject("tensors");
      planned.plan().actions().forEach((action, count) ->
          tensors.put(action.name().toLowerCase(java.util.Locale.ROOT), count));
      warmUpIfLocal(sparkConf, List.of(planned.plan()));
      JobSummary summary = MergeJob.run(context.get(), conf, spec.name(), planned.plan(), segments, output,
          planned.modelFiles(), planned.chatTemplate(), job.allowNonFinite, job.resume, planned.provenance(),
          spec.commandLine().getErr());
      summary.print(console);
      return 0;
    }
  }

  /** In local mode this JVM is also the executor: its merge loops get compiled while Spark starts. */
  static void warmUpIfLocal(SparkConf sparkConf, List<MergePlan> plans) {
    if (sparkConf.get("spark.master").startsWith("local")) {
      plans.stream().flatMap(plan -> plan.computedTypes().stream()).distinct().forEach(KernelWarmUp::start);
    }
  }

  private static void printPlan(MergePlan plan, int tasks, OutputDirectory output, PrintWriter out) {
    out.printf("plan for %s (dry run, no tensor data read)%n", output.target());
    plan.actions().forEach((action, count) -> out.printf("  %6d tensors %s%n", count, action.description()));
    out.printf("  records:  %d chunks in %d tasks%n", plan.chunkCount(), tasks);
    out.printf("  read:     %s from %d input files%n", Sizes.format(plan.readBytes()), plan.inputs().size());
    out.printf("  write:    %s in %d shards%n", Sizes.format(plan.outputBytes()), plan.shards().size());
    boolean pieces = plan.streamsPieces(output.writesAtPositions());
    out.printf("  memory:   %s of buffers per running task (%s)%n", Sizes.format(plan.taskBufferBytes(pieces)),
        pieces ? "local files are streamed in pieces" : "whole chunks");
    out.flush();
  }
}
