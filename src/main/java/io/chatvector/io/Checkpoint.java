package io.chatvector.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.chatvector.InvalidInputException;
import io.chatvector.format.SafetensorsFormatException;
import io.chatvector.format.SafetensorsHeader;
import io.chatvector.format.TensorInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * A checkpoint directory as the driver sees it: headers only, never tensor data. Either a single
 * {@code model.safetensors} or shards listed by {@code model.safetensors.index.json}; every header and the
 * index are validated before anything is planned.
 */
public final class Checkpoint {
  public static final String SINGLE_FILE = "model.safetensors";
  public static final String INDEX_FILE = "model.safetensors.index.json";
  private static final Pattern SHARD_NAME = Pattern.compile("[A-Za-z0-9._-]+\\.safetensors");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path directory;
  private final Map<String, CheckpointTensor> tensorsByName;
  private final List<CheckpointTensor> tensorsInOrder;
  private final Map<String, FileVersion> files;
  private final Map<String, String> metadata;

  private Checkpoint(Path directory, List<CheckpointTensor> tensorsInOrder, Map<String, FileVersion> files,
      Map<String, String> metadata) {
    this.directory = directory;
    this.tensorsInOrder = Collections.unmodifiableList(tensorsInOrder);
    this.files = Collections.unmodifiableMap(files);
    this.metadata = Collections.unmodifiableMap(metadata);
    Map<String, CheckpointTensor> byName = new LinkedHashMap<>();
    for (CheckpointTensor tensor : tensorsInOrder) {
      byName.put(tensor.name(), tensor);
    }
    this.tensorsByName = Collections.unmodifiableMap(byName);
  }

  public Path directory() {
    return directory;
  }

  /** Tensors in storage order: shards by name, then by position in the shard. */
  public List<CheckpointTensor> tensors() {
    return tensorsInOrder;
  }

  public CheckpointTensor tensor(String name) {
    return tensorsByName.get(name);
  }

  /** Shard file (qualified path) to its version when the headers were read. */
  public Map<String, FileVersion> files() {
    return files;
  }

  /** The {@code __metadata__} of the first shard. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /**
   * A digest of the tensor names, dtypes and shapes, independent of sharding: equal for the same model wherever
   * it is stored, different for models of different architectures. It reads no tensor data, so two models of the
   * same architecture share it.
   */
  public String architectureFingerprint() {
    try {
      java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
      tensorsByName.keySet().stream().sorted().forEach(name -> {
        TensorInfo info = tensorsByName.get(name).info();
        digest.update((name + "\0" + info.dtype() + "\0" + info.shapeString() + "\n")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8));
      });
      return java.util.HexFormat.of().formatHex(digest.digest()).substring(0, 16);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public long totalBytes() {
    return tensorsInOrder.stream().mapToLong(t -> t.info().byteLength()).sum();
  }

  /** Opens the checkpoint at {@code location}, reading and validating its index and every shard header. */
  public static Checkpoint open(String location, Configuration conf) {
    Path directory = Storage.qualify(location, conf);
    FileSystem fs = Storage.fileSystem(directory, conf);
    try {
      if (!fs.exists(directory)) {
        throw new InvalidInputException(directory + ": checkpoint directory does not exist");
      }
      if (fs.getFileStatus(directory).isFile()) {
        throw new InvalidInputException(directory + ": is a file; expected a checkpoint directory holding "
            + SINGLE_FILE + " or " + INDEX_FILE);
      }
      Path index = new Path(directory, INDEX_FILE);
      if (fs.exists(index)) {
        return openSharded(fs, directory, index);
      }
      Path single = new Path(directory, SINGLE_FILE);
      if (fs.exists(single)) {
        ShardHeader header = readHeader(fs, single);
        List<CheckpointTensor> tensors = new ArrayList<>();
        header.addTensorsTo(tensors);
        return new Checkpoint(directory, tensors, Map.of(single.toString(), header.version()),
            header.header().metadata());
      }
      throw new InvalidInputException(directory + ": no " + INDEX_FILE + " or " + SINGLE_FILE
          + (hasShardFiles(fs, directory) ? " (shard files without an index: an incomplete checkpoint)" : ""));
    } catch (IOException e) {
      throw new UncheckedIOException(directory + ": cannot read checkpoint: " + e.getMessage(), e);
    }
  }

  private static boolean hasShardFiles(FileSystem fs, Path directory) throws IOException {
    for (FileStatus status : fs.listStatus(directory)) {
      if (status.getPath().getName().endsWith(".safetensors")) {
        return true;
      }
    }
    return false;
  }

  private static Checkpoint openSharded(FileSystem fs, Path directory, Path index) throws IOException {
    JsonNode indexJson = readJson(fs, index);
    Map<String, String> weightMap = weightMap(index, indexJson);
    Map<String, List<String>> tensorsByShard = new TreeMap<>();
    weightMap.forEach((tensor, shard) -> tensorsByShard.computeIfAbsent(shard, s -> new ArrayList<>()).add(tensor));

    List<CheckpointTensor> tensors = new ArrayList<>();
    Map<String, FileVersion> versions = new LinkedHashMap<>();
    Map<String, String> metadata = null;
    for (Map.Entry<String, List<String>> shard : tensorsByShard.entrySet()) {
      Path shardPath = new Path(directory, shard.getKey());
      if (!fs.exists(shardPath)) {
        throw new InvalidInputException(index + ": names shard " + shard.getKey() + ", which does not exist");
      }
      ShardHeader header = readHeader(fs, shardPath);
      TreeSet<String> listed = new TreeSet<>(shard.getValue());
      for (TensorInfo tensor : header.header().tensors()) {
        String mapped = weightMap.get(tensor.name());
        if (mapped == null) {
          throw new InvalidInputException(shardPath + ": tensor '" + tensor.name() + "' is not in " + INDEX_FILE);
        }
        if (!mapped.equals(shard.getKey())) {
          throw new InvalidInputException(shardPath + ": tensor '" + tensor.name() + "' is mapped to " + mapped
              + " by " + INDEX_FILE + " (a tensor in two shards)");
        }
        listed.remove(tensor.name());
      }
      if (!listed.isEmpty()) {
        throw new InvalidInputException(shardPath + ": tensor '" + listed.first() + "' is mapped to this shard by "
            + INDEX_FILE + " but is not in it");
      }
      header.addTensorsTo(tensors);
      versions.put(shardPath.toString(), header.version());
      if (metadata == null) {
        metadata = header.header().metadata();
      }
    }
    warnOnWrongTotalSize(index, indexJson, tensors);
    return new Checkpoint(directory, tensors, versions, metadata == null ? Map.of() : metadata);
  }

  private static JsonNode readJson(FileSystem fs, Path index) throws IOException {
    try (InputStream in = fs.open(index)) {
      JsonNode root = JSON.readTree(in);
      if (root == null || !root.isObject()) {
        throw new InvalidInputException(index + ": is not a JSON object");
      }
      return root;
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(index + ": not valid JSON: " + e.getOriginalMessage());
    }
  }

  private static Map<String, String> weightMap(Path index, JsonNode root) {
    JsonNode weightMap = root.get("weight_map");
    if (weightMap == null || !weightMap.isObject()) {
      throw new InvalidInputException(index + ": has no \"weight_map\" object");
    }
    Map<String, String> result = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = weightMap.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = fields.next();
      JsonNode shard = entry.getValue();
      if (!shard.isTextual() || !isPlainShardName(shard.textValue())) {
        throw new InvalidInputException(index + ": tensor '" + entry.getKey() + "' maps to " + shard
            + ", which is not a plain file name ending in .safetensors");
      }
      result.put(entry.getKey(), shard.textValue());
    }
    if (result.isEmpty()) {
      throw new InvalidInputException(index + ": \"weight_map\" is empty");
    }
    return result;
  }

  /** A name that cannot lead outside the checkpoint directory: no separators, no "..", no scheme. */
  static boolean isPlainShardName(String name) {
    return SHARD_NAME.matcher(name).matches() && !name.startsWith(".");
  }

  /** Some published checkpoints carry a wrong total; the shards are the truth, so this only warns. */
  private static void warnOnWrongTotalSize(Path index, JsonNode root, List<CheckpointTensor> tensors) {
    JsonNode total = root.path("metadata").path("total_size");
    long actual = tensors.stream().mapToLong(t -> t.info().byteLength()).sum();
    if (total.isNumber() && total.asLong() != actual) {
      System.err.println("warning: " + index + ": metadata.total_size is " + total.asLong()
          + " but the shards hold " + actual + " tensor bytes; using the shards");
    }
  }

  private static ShardHeader readHeader(FileSystem fs, Path file) throws IOException {
    FileVersion version = FileVersion.of(fs.getFileStatus(file));
    long length = version.length();
    try (FSDataInputStream in = fs.open(file)) {
      byte[] prefix = new byte[SafetensorsHeader.PREFIX_BYTES];
      if (length < prefix.length) {
        throw new SafetensorsFormatException(file.toString(), null,
            "file is " + length + " bytes, shorter than the 8-byte header length");
      }
      in.readFully(0, prefix);
      long headerSize = SafetensorsHeader.readHeaderSize(file.toString(), prefix, length);
      byte[] header = new byte[(int) headerSize];
      in.readFully(prefix.length, header);
      return new ShardHeader(file.toString(), version, SafetensorsHeader.parse(file.toString(), header, length));
    }
  }

  private record ShardHeader(String file, FileVersion version, SafetensorsHeader header) {
    void addTensorsTo(List<CheckpointTensor> tensors) {
      for (TensorInfo tensor : header.tensors()) {
        tensors.add(new CheckpointTensor(tensor, file, header.dataStart() + tensor.begin()));
      }
    }
  }
}
