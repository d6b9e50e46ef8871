package io.chatvector.io;

import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * The small files of a checkpoint around its shards: the index, the provenance record, and the model's
 * configuration and tokenizer files, which are copied from the CP (or, for a vector, from the chat model).
 */
public final class CheckpointFiles {
  public static final String PROVENANCE_FILE = "chatvector.json";
  /** The model's configuration, as transformers saves it. */
  public static final String MODEL_CONFIG = "config.json";
  private static final String TOKENIZER_CONFIG = "tokenizer_config.json";
  private static final String CHAT_TEMPLATE_FILE = "chat_template.jinja";
  private static final Set<String> WEIGHT_SUFFIXES =
      Set.of(".safetensors", ".bin", ".pt", ".pth", ".ckpt", ".h5", ".msgpack", ".gguf", ".index.json");
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Python's json.dumps(indent=2): what transformers writes. */
  private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
      .withObjectIndenter(new DefaultIndenter("  ", "\n"))
      .withoutSpacesInObjectEntries()
      .withSeparators(DefaultPrettyPrinter.DEFAULT_SEPARATORS.withObjectFieldValueSpacing(
          com.fasterxml.jackson.core.util.Separators.Spacing.AFTER)));

  private CheckpointFiles() {
  }

  /**
   * Writes {@code model.safetensors.index.json} with the weight map sorted by name, as transformers does. The index
   * says a checkpoint is complete, so it appears whole or not at all: where renames are atomic it is written under a
   * hidden name and renamed (a job killed while writing it left a truncated index); an object store's object
   * appears whole when its upload ends.
   */
  public static void writeIndex(FileSystem fs, Path directory, long totalSize, Map<String, String> weightMap)
      throws IOException {
    ObjectNode json = JSON.createObjectNode();
    json.putObject("metadata").put("total_size", totalSize);
    ObjectNode map = json.putObject("weight_map");
    new TreeMap<>(weightMap).forEach(map::put);
    Path index = new Path(directory, Checkpoint.INDEX_FILE);
    if (Storage.isObjectStore(index)) {
      writeJson(fs, index, json);
      return;
    }
    Path partial = new Path(directory, "." + Checkpoint.INDEX_FILE + ".partial");
    writeJson(fs, partial, json);
    fs.delete(index, false);
    if (!fs.rename(partial, index)) {
      throw new IOException("Cannot rename " + partial + " to " + index);
    }
  }

  public static void writeJson(FileSystem fs, Path file, JsonNode json) throws IOException {
    try (OutputStream out = fs.create(file, true)) {
      out.write(PRETTY.writeValueAsBytes(json));
      out.write('\n');
    }
  }

  /** Copies the non-weight files at the top of {@code source} (config, tokenizer, generation config, ...). */
  public static void copyModelFiles(FileSystem sourceFs, Path source, FileSystem targetFs, Path target)
      throws IOException {
    for (FileStatus status : sourceFs.listStatus(source)) {
      String name = status.getPath().getName();
      if (status.isFile() && isModelFile(name)) {
        copy(sourceFs, status.getPath(), targetFs, new Path(target, name));
      }
    }
  }

  private static boolean isModelFile(String name) {
    if (name.startsWith(".") || name.startsWith("_") || name.equals(PROVENANCE_FILE) || name.equals("README.md")) {
      return false;
    }
    return WEIGHT_SUFFIXES.stream().noneMatch(name::endsWith);
  }

  /**
   * Gives the output the chat model's chat template, as the paper's script does: {@code chat_template} of its
   * tokenizer_config.json and its chat_template.jinja, replacing the CP's. Returns false when the chat model has
   * no template.
   */
  public static boolean applyChatTemplate(FileSystem chatFs, Path chat, FileSystem outFs, Path out)
      throws IOException {
    JsonNode chatTemplate = readJson(chatFs, new Path(chat, TOKENIZER_CONFIG)).get("chat_template");
    Path chatJinja = new Path(chat, CHAT_TEMPLATE_FILE);
    boolean hasJinja = chatFs.exists(chatJinja);
    if (chatTemplate == null && !hasJinja) {
      return false;
    }
    outFs.delete(new Path(out, CHAT_TEMPLATE_FILE), false);
    if (hasJinja) {
      copy(chatFs, chatJinja, outFs, new Path(out, CHAT_TEMPLATE_FILE));
    }
    if (chatTemplate != null) {
      Path outConfig = new Path(out, TOKENIZER_CONFIG);
      JsonNode config = readJson(outFs, outConfig);
      ObjectNode updated = config.isObject() ? (ObjectNode) config : JSON.createObjectNode();
      updated.set("chat_template", chatTemplate);
      writeJson(outFs, outConfig, updated);
    }
    return true;
  }

  /** The JSON in {@code file}, or an empty object when there is no such file. */
  public static JsonNode readJson(FileSystem fs, Path file) throws IOException {
    if (!fs.exists(file)) {
      return JSON.createObjectNode();
    }
    try (InputStream in = fs.open(file)) {
      return JSON.readTree(in);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new io.chatvector.InvalidInputException(file + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static void copy(FileSystem sourceFs, Path source, FileSystem targetFs, Path target) throws IOException {
    try (InputStream in = sourceFs.open(source); OutputStream out = targetFs.create(target, true)) {
      in.transferTo(out);
    }
  }
}
