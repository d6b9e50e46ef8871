package io.chatvector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.InvalidInputException;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.Storage;
import io.chatvector.plan.EmbeddingsMode;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.MergePlanner;
import io.chatvector.plan.VectorInput;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

@Command(name = "merge", mixinStandardHelpOptions = true,
    description = {"Add chat vectors to a CP model: cp + sum(weight_i * vector_i) with --vector,",
        "or cp + ratio * (chat - base) in one pass with --base and --chat."})
final class MergeCommand extends JobCommand {
  @Option(names = "--cp", required = true, paramLabel = "DIR", description = "The continually pre-trained model.")
  String cp;

  @Option(names = "--vector", paramLabel = "DIR[:WEIGHT]",
      description = "A chat vector made by extract, with its weight (default 1.0). Repeatable.")
  List<String> vectors = new ArrayList<>();

  @Option(names = "--base", paramLabel = "DIR", description = "Fused form: the base model.")
  String base;

  @Option(names = "--chat", paramLabel = "DIR", description = "Fused form: the chat model.")
  String chat;

  @Option(names = "--ratio", paramLabel = "R", description = "Fused form: weight of chat - base (default 1.0).")
  Float ratio;

  @Option(names = "--embeddings", paramLabel = "error|skip|overlap", defaultValue = "error",
      description = {"When the CP has more vocabulary rows than the vector: error (default), skip (keep the CP's",
          "tensor, as the paper did) or overlap (add the vector to the shared rows)."})
  EmbeddingsMode embeddings;

  @Override
  public Integer call() throws Exception {
    boolean fused = base != null || chat != null;
    if (fused == !vectors.isEmpty()) {
      throw new ParameterException(spec.commandLine(),
          "Give either --vector DIR[:WEIGHT] (one or more) or both --base and --chat");
    }
    if (fused && (base == null || chat == null)) {
      throw new ParameterException(spec.commandLine(), "The fused form needs both --base and --chat");
    }
    if (ratio != null && !Float.isFinite(ratio)) {
      throw new ParameterException(spec.commandLine(), "--ratio must be a finite number, not " + ratio);
    }
    if (!fused && ratio != null) {
      throw new ParameterException(spec.commandLine(), "--ratio goes with --base and --chat; give a vector's "
          + "weight as --vector DIR:WEIGHT");
    }
    Configuration conf = hadoopConf();
    Checkpoint cpModel = Checkpoint.open(cp, conf);
    ObjectNode provenance = provenance();
    ObjectNode inputs = provenance.putObject("inputs").put("cp", cpModel.directory().toString());
    provenance.with("options").put("embeddings", embeddings.name().toLowerCase(java.util.Locale.ROOT));
    List<VectorInput> terms = new ArrayList<>();
    List<Path> inputDirs = new ArrayList<>(List.of(cpModel.directory()));
    StringBuilder formula = new StringBuilder("cp");
    Path chatTemplate;
    if (fused) {
      Checkpoint baseModel = Checkpoint.open(base, conf);
      Checkpoint chatModel = Checkpoint.open(chat, conf);
      float weight = ratio == null ? 1.0f : ratio;
      terms.add(VectorInput.difference(weight, chatModel, baseModel));
      inputs.put("base", baseModel.directory().toString()).put("chat", chatModel.directory().toString())
          .put("ratio", weight);
      inputDirs.add(baseModel.directory());
      inputDirs.add(chatModel.directory());
      formula.append(" + ").append(weight).append(" * (chat - base)");
      chatTemplate = chatModel.directory();
    } else {
      ArrayNode vectorRecords = inputs.putArray("vectors");
      BaseOfVectors bases = new BaseOfVectors();
      for (String vector : vectors) {
        WeightedPath weighted = WeightedPath.parse(vector);
        Checkpoint vectorModel = Checkpoint.open(weighted.path(), conf);
        terms.add(VectorInput.stored(weighted.weight(), vectorModel));
        JsonNode vectorInputs = CheckpointFiles.readJson(Storage.fileSystem(vectorModel.directory(), conf),
            new Path(vectorModel.directory(), CheckpointFiles.PROVENANCE_FILE)).path("inputs");
        bases.check(vectorModel.directory(), vectorInputs);
        vectorRecords.addObject().put("path", vectorModel.directory().toString()).put("weight", weighted.weight())
            .put("base", vectorInputs.path("base").asText(null))
            .put("base_fingerprint", vectorInputs.path("base_fingerprint").asText(null))
            .put("chat", vectorInputs.path("chat").asText(null));
        inputDirs.add(vectorModel.directory());
        formula.append(" + ").append(weighted.weight()).append(" * vector").append(terms.size());
      }
      chatTemplate = terms.get(0).vectorOrChat().directory();
    }
    provenance.put("formula", formula.toString());
    MergePlan plan = MergePlanner.merge(cpModel, terms, job.planOptions(embeddings, Map.of()));
    return execute(conf, plan, inputDirs, cpModel.directory(), chatTemplate, provenance);
  }

  /**
   * Vectors are only added meaningfully when extracted from the same base: compare the base fingerprints that
   * extract recorded, where present.
   */
  static final class BaseOfVectors {
    private Path firstVector;
    private JsonNode firstInputs;

    void check(Path vector, JsonNode inputs) {
      String fingerprint = inputs.path("base_fingerprint").asText(null);
      if (fingerprint == null) {
        return;
      }
      if (firstInputs == null) {
        firstVector = vector;
        firstInputs = inputs;
      } else if (!fingerprint.equals(firstInputs.path("base_fingerprint").asText())) {
        throw new InvalidInputException(vector + ": this vector was extracted from the base "
            + inputs.path("base").asText() + " (fingerprint " + fingerprint + "), but " + firstVector
            + " from the base " + firstInputs.path("base").asText() + " (fingerprint "
            + firstInputs.path("base_fingerprint").asText() + "), a different architecture");
      }
    }
  }

  /** DIR[:WEIGHT]; a URI's own colons (hdfs://host:8020/...) are not taken for a weight. */
  record WeightedPath(String path, float weight) {
    static WeightedPath parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon > 0) {
        try {
          float weight = Float.parseFloat(text.substring(colon + 1));
          if (!Float.isFinite(weight)) {
            throw new InvalidInputException("Cannot use weight " + weight + " for " + text.substring(0, colon)
                + ": it must be a finite number");
          }
          return new WeightedPath(text.substring(0, colon), weight);
        } catch (NumberFormatException notAWeight) {
          // The colon belongs to the path.
        }
      }
      return new WeightedPath(text, 1.0f);
    }
  }
}
