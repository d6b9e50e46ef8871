package io.chatvector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.InvalidInputException;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.Storage;
import io.chatvector.plan.VectorInput;
import java.util.ArrayList;
import java.util.List;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The inputs of a merge in either form, opened and checked: the CP, and the terms to add (stored vectors with
 * weights, or chat - base with a ratio), with the record of them that goes into the provenance.
 */
final class MergeInputs {
  final Checkpoint cp;
  final List<VectorInput> terms = new ArrayList<>();
  final List<Path> directories = new ArrayList<>();
  final ObjectNode record;
  final String formula;
  /** The chat model, or the first vector (which carries the chat model's files). */
  final Path chatTemplate;

  private MergeInputs(Checkpoint cp, ObjectNode record, String formula, Path chatTemplate) {
    this.cp = cp;
    this.record = record;
    this.formula = formula;
    this.chatTemplate = chatTemplate;
  }

  static MergeInputs open(CommandLine command, String cp, TermOptions options, Float ratio, Configuration conf)
      throws java.io.IOException {
    List<String> vectors = options.vectors;
    String base = options.base;
    String chat = options.chat;
    boolean fused = base != null || chat != null;
    if (fused == !vectors.isEmpty()) {
      throw new ParameterException(command, "Give either --vector DIR[:WEIGHT] (one or more) or both --base and --chat");
    }
    if (fused && (base == null || chat == null)) {
      throw new ParameterException(command, "The fused form needs both --base and --chat");
    }
    if (ratio != null && !Float.isFinite(ratio)) {
      throw new ParameterException(command, "--ratio must be a finite number, not " + ratio);
    }
    if (!fused && ratio != null) {
      throw new ParameterException(command, "--ratio goes with --base and --chat; give a vector's weight as "
          + "--vector DIR:WEIGHT");
    }
    Checkpoint cpModel = Checkpoint.open(cp, conf);
    ObjectNode record = new ObjectMapper().createObjectNode().put("cp", cpModel.directory().toString());
    StringBuilder formula = new StringBuilder("cp");
    if (fused) {
      Checkpoint baseModel = Checkpoint.open(base, conf);
      Checkpoint chatModel = Checkpoint.open(chat, conf);
      float weight = ratio == null ? 1.0f : ratio;
      MergeInputs inputs = new MergeInputs(cpModel, record, formula.append(" + ").append(weight)
          .append(" * (chat - base)").toString(), chatModel.directory());
      inputs.terms.add(VectorInput.difference(weight, chatModel, baseModel));
      record.put("base", baseModel.directory().toString()).put("chat", chatModel.directory().toString())
          .put("ratio", weight);
      inputs.directories.addAll(List.of(cpModel.directory(), baseModel.directory(), chatModel.directory()));
      return inputs;
    }
    ArrayNode vectorRecords = record.putArray("vectors");
    List<VectorInput> terms = new ArrayList<>();
    List<Path> directories = new ArrayList<>(List.of(cpModel.directory()));
    BaseOfVectors bases = new BaseOfVectors();
    for (String vector : vectors) {
      WeightedPath weighted = WeightedPath.parse(vector);
      Checkpoint vectorModel = Checkpoint.open(weighted.path(), conf);
      JsonNode vectorInputs = CheckpointFiles.readJson(Storage.fileSystem(vectorModel.directory(), conf),
          new Path(vectorModel.directory(), CheckpointFiles.PROVENANCE_FILE)).path("inputs");
      bases.check(vectorModel.directory(), vectorInputs);
      terms.add(VectorInput.stored(weighted.weight(), vectorModel));
      vectorRecords.addObject().put("path", vectorModel.directory().toString()).put("weight", weighted.weight())
          .put("base", vectorInputs.path("base").asText(null))
          .put("base_fingerprint", vectorInputs.path("base_fingerprint").asText(null))
          .put("chat", vectorInputs.path("chat").asText(null));
      directories.add(vectorModel.directory());
      formula.append(" + ").append(weighted.weight()).append(" * vector").append(terms.size());
    }
    MergeInputs inputs = new MergeInputs(cpModel, record, formula.toString(), terms.get(0).vectorOrChat().directory());
    inputs.terms.addAll(terms);
    inputs.directories.addAll(directories);
    return inputs;
  }

  /**
   * Vectors are only added meaningfully when extracted from the same base: compare the base fingerprints that
   * extract recorded, where present.
   */
  private static final class BaseOfVectors {
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
