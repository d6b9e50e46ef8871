package io.chatvector.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "merge", mixinStandardHelpOptions = true,
    description = {"Add chat vectors to a CP model, or chat - base in one pass.",
        "cp + sum(weight_i * vector_i) with --vector; cp + ratio * (chat - base) with --base and --chat."})
final class MergeCommand extends JobCommand {
  @Option(names = "--cp", required = true, paramLabel = "DIR", description = "The continually pre-trained model.")
  String cp;

  @Mixin
  TermOptions terms;

  @Option(names = "--ratio", paramLabel = "R", description = "Fused form: weight of chat - base (default 1.0).")
  Float ratio;

  @Option(names = "--embeddings", paramLabel = "error|skip|overlap", defaultValue = "error",
      description = "When the CP has more vocabulary rows than the vector: error (default), skip (keep the CP's "
          + "tensor, as the paper did) or overlap (add the vector to the shared rows).")
  EmbeddingsMode embeddings;

  @Override
  Planned plan(Configuration conf) throws Exception {
    MergeInputs inputs = MergeInputs.open(spec.commandLine(), cp, terms, ratio, conf);
    ObjectNode provenance = provenance();
    provenance.set("inputs", inputs.record);
    provenance.with("options").put("embeddings", embeddings.name().toLowerCase(java.util.Locale.ROOT));
    provenance.put("formula", inputs.formula);
    MergePlan plan = MergePlanner.merge(inputs.cp, inputs.terms, job.planOptions(embeddings, Map.of()));
    return new Planned(plan, inputs.directories, inputs.cp.directory(), inputs.chatTemplate, provenance);
  }
}
