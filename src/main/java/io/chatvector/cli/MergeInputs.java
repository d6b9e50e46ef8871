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
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * The inputs of a merge in either form, opened and checked: the CP, and the terms to add (stored vectors with
 * weights, or chat - base with a ratio), with the record of them that goes into the provenance.
 */
final class MergeInputs {
  final Checkpoint cp;
  final List<VectorInput> terms;
  final List<Path> directories;
  final ObjectNode record;
  final String formula;
  /** The chat model, or the first vector (which carries the chat model's files). */
  final Path chatTemplate;

  private MergeInputs(Checkpoint cp, Terms terms) {
    this.cp = cp;
    this.terms = terms.inputs();
    this.directories = new ArrayList<>(List.of(cp.directory()));
    this.directories.addAll(terms.directories());
    this.record = new ObjectMapper().createObjectNode().put("cp", cp.directory().toString());
    this.record.setAll(terms.record().deepCopy());
    this.formula = "cp" + terms.formula();
    this.chatTemplate = terms.chatTemplate();
  }

  /** The CP model at {@code cp} with the terms given by the options. */
  static MergeInputs open(CommandLine command, String cp, TermOptions options, Float ratio, Configuration conf)
      throws java.io.IOException {
    Terms.check(command, options, ratio);
    Checkpoint cpModel = Checkpoint.open(cp, conf);
    return new MergeInputs(cpModel, Terms.open(command, options, ratio, conf));
  }

  /** The same, opened terms added to another CP model: what a sweep does for each of its CPs. */
  static MergeInputs of(Checkpoint cp, Terms terms) {
    return new MergeInputs(cp, terms);
  }

  /**
   * What is added to a CP model, opened and checked once: the inputs, their directories, their provenance record,
   * the formula's tail ({@code " + w * vector1"}), and where the chat template comes from.
   */
  record Terms(List<VectorInput> inputs, List<Path> directories, ObjectNode record, String formula,
      Path chatTemplate) {

    /** Checks the form (vectors, or base and chat with an optional ratio) before anything is opened. */
    static void check(CommandLine command, TermOptions options, Float ratio) {
      boolean fused = options.base != null || options.chat != null;
      if (fused == !options.vectors.isEmpty()) {
        throw new ParameterException(command,
            "Give either --vector DIR[:WEIGHT] (one or more) or both --base and --chat");
      }
      if (fused && (options.base == null || options.chat == null)) {
        throw new ParameterException(command, "The fused form needs both --base and --chat");
      }
      if (ratio != null && !Float.isFinite(ratio)) {
        throw new ParameterException(command, "--ratio must be a finite number, not " + ratio);
      }
      if (!fused && ratio != null) {
        throw new ParameterException(command, "--ratio goes with --base and --chat; give a vector's weight as "
            + "--vector DIR:WEIGHT");
      }
    }

    /** Opens terms whose form {@link #check} accepted. */
    static Terms open(CommandLine command, TermOptions options, Float ratio, Configuration conf)
        throws java.io.IOException {
      ObjectNode record = new ObjectMapper().createObjectNode();
      if (options.base != null) {
        Checkpoint base = Checkpoint.open(options.base, conf);
        Checkpoint chat = Checkpoint.open(options.chat, conf);
        float weight = ratio == null ? 1.0f : ratio;
        record.put("base", base.directory().toString()).put("chat", chat.directory().toString()).put("ratio", weight);
        return new Terms(List.of(VectorInput.difference(weight, chat, base)), List.of(base.directory(),
            chat.directory()), record, " + " + weight + " * (chat - base)", chat.directory());
      }
      ArrayNode vectorRecords = record.putArray("vectors");
      List<VectorInput> inputs = new ArrayList<>();
      List<Path> directories = new ArrayList<>();
      StringBuilder formula = new StringBuilder();
      BaseOfVectors bases = new BaseOfVectors();
      for (String vector : options.vectors) {
        WeightedPath weighted = WeightedPath.parse(vector);
        Checkpoint vectorModel = Checkpoint.open(weighted.path(), conf);
        FileSystem fs = Storage.fileSystem(vectorModel.directory(), conf);
        JsonNode provenance = CheckpointFiles.readJson(fs,
            new Path(vectorModel.directory(), CheckpointFiles.PROVENANCE_FILE));
        warnIfAModel(command, fs, vectorModel.directory(), provenance);
        JsonNode vectorInputs = provenance.path("inputs");
        bases.check(vectorModel.directory(), vectorInputs);
        inputs.add(VectorInput.stored(weighted.weight(), vectorModel));
        vectorRecords.addObject().put("path", vectorModel.directory().toString()).put("weight", weighted.weight())
            .put("base", vectorInputs.path("base").asText(null))
            .put("base_fingerprint", vectorInputs.path("base_fingerprint").asText(null))
            .put("chat", vectorInputs.path("chat").asText(null));
        directories.add(vectorModel.directory());
        formula.append(" + ").append(weighted.weight()).append(" * vector").append(inputs.size());
      }
      return new Terms(inputs, directories, record, formula.toString(), directories.get(0));
    }

    /** Vectors made by other tools are taken as given; a whole chat model passed as a vector is a likely slip. */
    private static void warnIfAModel(CommandLine command, FileSystem fs, Path vector, JsonNode provenance)
        throws java.io.IOException {
      if (!"extract".equals(provenance.path("command").asText())
          && fs.exists(new Path(vector, CheckpointFiles.MODEL_CONFIG))) {
        command.getErr().println("warning: " + vector + ": a model directory that 'chatvector extract' did not "
            + "write; its tensors are added as a vector, as they are (to add a chat model's difference from its "
            + "base, give --base and --chat instead)");
      }
    }
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
