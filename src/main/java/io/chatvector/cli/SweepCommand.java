package io.chatvector.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.InvalidInputException;
import io.chatvector.Sizes;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.OutputDirectory;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.InputFiles;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import io.chatvector.plan.SweepPlan;
import io.chatvector.plan.VectorInput;
import io.chatvector.spark.ShardResult;
import io.chatvector.spark.SweepJob;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkConf;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "sweep", mixinStandardHelpOptions = true,
    description = {"Merge several CP models, at one or more ratios, reading the vector(s) once.",
        "One Spark job writes OUT-ROOT/<cp-name>[-r<ratio>]/, each byte-identical to what merge makes on its own "
            + "(with the vector weights multiplied by the ratio, in f32)."})
final class SweepCommand implements Callable<Integer> {
  @Option(names = "--cp", required = true, paramLabel = "DIR", description = "A CP model. Repeatable.")
  List<String> cps;

  @Mixin
  TermOptions terms;

  @Option(names = "--ratio", paramLabel = "R", description = "A ratio; one output per CP and ratio. Repeatable.")
  List<Float> ratios = new ArrayList<>();

  @Option(names = "--out-root", required = true, paramLabel = "DIR", description = "Where the outputs go.")
  String outRoot;

  @Option(names = "--embeddings", paramLabel = "error|skip|overlap", defaultValue = "error",
      description = "As for merge (default: ${DEFAULT-VALUE}).")
  EmbeddingsMode embeddings;

  @Option(names = "--keep-going", description = "Write the other outputs when a CP is bad; exit 2 at the end.")
  boolean keepGoing;

  @Mixin
  SparkOptions spark;

  @Mixin
  JobOptions job;

  @Spec
  CommandSpec spec;

  @ParentCommand
  ChatVectorCommand root;

  @Override
  public Integer call() throws Exception {
    SparkConf sparkConf = spark.sparkConf("sweep");
    try (StartingContext context = job.dryRun ? null : StartingContext.start(root.contexts, sparkConf)) {
      return sweep(spark.hadoopConf("sweep"), sparkConf, context);
    }
  }

  private int sweep(Configuration conf, SparkConf sparkConf, StartingContext context) throws Exception {
    InputFiles files = new InputFiles();
    List<MergePlan> plans = new ArrayList<>();
    List<SweepJob.Output> outputs = new ArrayList<>();
    Map<String, String> failures = new LinkedHashMap<>();
    MergeInputs.Terms.check(spec.commandLine(), terms, null);
    MergeInputs.Terms added = MergeInputs.Terms.open(spec.commandLine(), terms, null, conf);
    for (String cp : cps) {
      try {
        MergeInputs inputs = MergeInputs.of(Checkpoint.open(cp, conf), added);
        for (Float ratio : ratios.isEmpty() ? java.util.Collections.<Float>singletonList(null) : ratios) {
          String name = inputs.cp.directory().getName() + (ratio == null ? "" : "-r" + ratio);
          List<VectorInput> terms = scaled(inputs.terms, ratio == null ? 1.0f : ratio);
          plans.add(MergePlanner.merge(inputs.cp, terms, job.planOptions(embeddings, Map.of()), files));
          outputs.add(output(name, ratio, inputs, terms, conf));
        }
      } catch (InvalidInputException e) {
        if (!keepGoing) {
          throw e;
        }
        failures.put(cp, e.getMessage());
      }
    }
    checkOutputs(outputs);
    SweepPlan plan = SweepPlan.of(files, plans,
        job.segmentBytes(plans.stream().mapToLong(MergePlan::outputBytes).sum(), sparkConf));
    PrintWriter console = spec.commandLine().getOut();
    if (job.dryRun) {
      console.printf("plan for %d outputs under %s (dry run, no tensor data read)%n", outputs.size(), outRoot);
      console.printf("  records:  %d chunks in %d tasks%n", plans.stream().mapToInt(MergePlan::chunkCount).sum(),
          plan.groups().size());
      console.printf("  write:    %s%n", Sizes.format(plans.stream().mapToLong(MergePlan::outputBytes).sum()));
      console.flush();
      return failures.isEmpty() ? 0 : Main.BAD_INPUT;
    }
    JobCommand.warmUpIfLocal(sparkConf, plans);
    SweepJob.Outcome outcome = SweepJob.run(context.get(), conf, plan, outputs, job.allowNonFinite, keepGoing,
        job.resume, spec.commandLine().getErr());
    failures.putAll(outcome.failures());
    print(console, outcome, failures);
    if (!failures.isEmpty()) {
      spec.commandLine().getErr().println("error: " + failures.size() + " of " + cps.size() * Math.max(1, ratios.size())
          + " outputs failed; first: " + failures.values().iterator().next());
      return Main.BAD_INPUT;
    }
    return 0;
  }

  private static List<VectorInput> scaled(List<VectorInput> terms, float ratio) {
    return terms.stream().map(t -> new VectorInput(ratio * t.weight(), t.vectorOrChat(), t.base())).toList();
  }

  private SweepJob.Output output(String name, Float ratio, MergeInputs inputs, List<VectorInput> terms,
      Configuration conf) throws java.io.IOException {
    OutputDirectory directory = OutputDirectory.check(new Path(outRoot, name).toString(), job.overwrite,
        inputs.directories, conf);
    ObjectNode provenance = job.provenance("sweep");
    provenance.set("inputs", inputs.record.deepCopy());
    provenance.with("options").put("embeddings", embeddings.name().toLowerCase(Locale.ROOT));
    if (ratio != null) {
      provenance.with("inputs").put("sweep_ratio", ratio);
    }
    StringBuilder formula = new StringBuilder("cp");
    for (int t = 0; t < terms.size(); t++) {
      formula.append(" + ").append(terms.get(t).weight()).append(terms.get(t).isDifference()
          ? " * (chat - base)" : " * vector" + (t + 1));
    }
    provenance.put("formula", formula.toString());
    return new SweepJob.Output(name, directory, inputs.cp.directory(), inputs.chatTemplate, provenance);
  }

  private void checkOutputs(List<SweepJob.Output> outputs) {
    if (outputs.isEmpty()) {
      throw new InvalidInputException(outRoot + ": no output to write: every CP failed");
    }
    java.util.Set<String> names = new java.util.HashSet<>();
    for (SweepJob.Output output : outputs) {
      if (!names.add(output.name())) {
        throw new InvalidInputException(output.directory().target() + ": two CP models share the name "
            + output.name() + "; give them directories with different names");
      }
    }
  }

  private static void print(PrintWriter console, SweepJob.Outcome outcome, Map<String, String> failures) {
    console.printf("sweep complete: %d outputs written%n", outcome.written().size());
    outcome.written().forEach((name, shards) -> console.printf("  written: %s, %d shards, %s%n", name, shards.size(),
        Sizes.format(shards.stream().mapToLong(ShardResult::bytes).sum())));
    failures.forEach((name, why) -> console.printf("  failed:  %s: %s%n", name, why));
    outcome.bytesReadPerInput().forEach((input, bytes) -> console.printf("  read:    %s from %s%n",
        Sizes.format(bytes), input));
    console.printf("  time:    %.1f s in %d tasks%n", outcome.nanos() / 1e9, outcome.tasks());
    if (outcome.keptGroups() > 0) {
      console.printf("  resumed: %d groups kept from the earlier run, checked against their checksums%n",
          outcome.keptGroups());
    }
    console.flush();
  }
}
