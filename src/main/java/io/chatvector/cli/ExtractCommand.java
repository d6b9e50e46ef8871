package io.chatvector.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.io.Checkpoint;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "extract", mixinStandardHelpOptions = true,
    description = "Write the chat vector chat - base as a checkpoint (with the chat model's config and tokenizer).")
final class ExtractCommand extends JobCommand {
  @Option(names = "--base", required = true, paramLabel = "DIR", description = "The base model.")
  String base;

  @Option(names = "--chat", required = true, paramLabel = "DIR", description = "The chat model.")
  String chat;

  @Override
  Planned plan(Configuration conf) throws Exception {
    Checkpoint baseModel = Checkpoint.open(base, conf);
    Checkpoint chatModel = Checkpoint.open(chat, conf);
    // Provenance goes to chatvector.json, not the shard headers, so that shards do not depend on where inputs live.
    MergePlan plan = MergePlanner.extract(baseModel, chatModel, job.planOptions(EmbeddingsMode.ERROR, Map.of()));
    ObjectNode provenance = provenance();
    provenance.putObject("inputs")
        .put("base", baseModel.directory().toString())
        .put("base_fingerprint", baseModel.architectureFingerprint())
        .put("chat", chatModel.directory().toString());
    provenance.put("formula", "chat - base");
    return new Planned(plan, List.of(baseModel.directory(), chatModel.directory()), chatModel.directory(), null,
        provenance);
  }
}
