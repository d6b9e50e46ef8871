package io.chatvector.synth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.format.HeaderWriter;
import io.chatvector.format.TensorInfo;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.Storage;
import io.chatvector.plan.ShardLayout;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Writes a deterministic Llama-shaped family: {@code base/}, {@code chat/} (base plus a small "chat" delta) and
 * {@code cp/} (base plus a "language" delta, with {@code extraVocab} rows appended to the embeddings and lm_head),
 * each with a config.json that transformers can load. Values depend only on the seed, tensor and element, so
 * every file can be regenerated, and streamed, independently.
 */
public final class FamilyGenerator {
  public static final String CHAT_TEMPLATE =
      "{% for message in messages %}{{ '<|' + message['role'] + '|>\\n' + message['content'] + '</s>\\n' }}"
          + "{% endfor %}{% if add_generation_prompt %}{{ '<|assistant|>\\n' }}{% endif %}";
  private static final int BLOCK = 1 << 16;
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Which member of the family a file holds. */
  public enum Member { BASE, CHAT, CP }

  private final LlamaShape shape;
  private final DType dtype;
  private final long extraVocab;
  private final long seed;
  private final long maxShardSize;
  private final boolean sparse;

  public FamilyGenerator(LlamaShape shape, DType dtype, long extraVocab, long seed, long maxShardSize) {
    this(shape, dtype, extraVocab, seed, maxShardSize, false);
  }

  /**
   * @param sparse write headers only and leave the data as holes in local files (all zeros, no disk): for
   *     planning and dry runs at sizes no disk here holds
   */
  public FamilyGenerator(LlamaShape shape, DType dtype, long extraVocab, long seed, long maxShardSize,
      boolean sparse) {
    this.shape = shape;
    this.dtype = dtype;
    this.extraVocab = extraVocab;
    this.seed = seed;
    this.maxShardSize = maxShardSize;
    this.sparse = sparse;
  }

  public void writeFamily(String location, Configuration conf) throws IOException {
    Path root = Storage.qualify(location, conf);
    for (Member member : Member.values()) {
      write(member, new Path(root, member.name().toLowerCase(java.util.Locale.ROOT)), conf);
    }
  }

  public void write(Member member, Path directory, Configuration conf) throws IOException {
    FileSystem fs = Storage.fileSystem(directory, conf);
    fs.mkdirs(directory);
    List<TensorInfo> tensors = shape.tensors(dtype, member == Member.CP ? extraVocab : 0);
    List<List<TensorInfo>> shards = ShardLayout.group(tensors, TensorInfo::byteLength, maxShardSize);
    Map<String, String> weightMap = new LinkedHashMap<>();
    for (int i = 0; i < shards.size(); i++) {
      String name = shards.size() == 1 ? Checkpoint.SINGLE_FILE : ShardLayout.shardName(i, shards.size());
      byte[] header = HeaderWriter.write(Map.of(), shards.get(i));
      if (sparse) {
        writeSparse(new Path(directory, name), header, shards.get(i));
      } else {
        try (OutputStream out = fs.create(new Path(directory, name), true)) {
          out.write(header);
          for (TensorInfo tensor : shards.get(i)) {
            writeValues(out, member, tensor, tensors.indexOf(tensor));
          }
        }
      }
      shards.get(i).forEach(tensor -> weightMap.put(tensor.name(), name));
    }
    if (shards.size() > 1) {
      long total = tensors.stream().mapToLong(TensorInfo::byteLength).sum();
      CheckpointFiles.writeIndex(fs, directory, total, weightMap);
    }
    writeConfigs(fs, directory, member);
  }

  private static void writeSparse(Path file, byte[] header, List<TensorInfo> tensors) throws IOException {
    if (!"file".equals(file.toUri().getScheme())) {
      throw new IllegalArgumentException("Cannot write sparse files to " + file + ": only on local disk");
    }
    try (java.io.RandomAccessFile out = new java.io.RandomAccessFile(new java.io.File(file.toUri()), "rw")) {
      out.write(header);
      out.setLength(header.length + tensors.stream().mapToLong(TensorInfo::byteLength).sum());
    }
  }

  private void writeValues(OutputStream out, Member member, TensorInfo tensor, int tensorIndex) throws IOException {
    boolean norm = tensor.shape().length == 1;
    long sharedElements = tensor.elements() - (member == Member.CP && tensor.rows() > shape.vocab()
        ? extraVocab * tensor.shape()[1] : 0);
    ByteBuffer block = ByteBuffer.allocate(BLOCK * dtype.bits() / 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long element = 0; element < tensor.elements(); element++) {
      float value;
      if (element < sharedElements) {
        value = (norm ? 1.0f : 0.0f) + 0.02f * uniform(tensorIndex, element, 0);
        if (member == Member.CHAT) {
          value = value + 0.002f * uniform(tensorIndex, element, 1);
        } else if (member == Member.CP) {
          value = value + 0.003f * uniform(tensorIndex, element, 2);
        }
      } else {
        value = 0.02f * uniform(tensorIndex, element, 3);
      }
      Floats.put(block, dtype, value);
      if (!block.hasRemaining()) {
        out.write(block.array(), 0, block.position());
        block.clear();
      }
    }
    out.write(block.array(), 0, block.position());
  }

  /** A uniform value in [-1, 1) from SplitMix64 of (seed, tensor, element, stream). */
  private float uniform(int tensorIndex, long element, int stream) {
    long z = seed * 0x9E3779B97F4A7C15L + ((long) tensorIndex << 40) + element * 4 + stream;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    z = z ^ (z >>> 31);
    return (z >>> 40) * 0x1.0p-23f - 1.0f;
  }

  private void writeConfigs(FileSystem fs, Path directory, Member member) throws IOException {
    ObjectNode config = JSON.createObjectNode();
    config.putArray("architectures").add("LlamaForCausalLM");
    config.put("model_type", "llama")
        .put("hidden_size", shape.hidden())
        .put("intermediate_size", shape.intermediate())
        .put("num_hidden_layers", shape.layers())
        .put("num_attention_heads", shape.heads())
        .put("num_key_value_heads", shape.kvHeads())
        .put("vocab_size", shape.vocab() + (member == Member.CP ? extraVocab : 0))
        .put("max_position_embeddings", 4096)
        .put("rms_norm_eps", 1e-5)
        .put("rope_theta", 10000.0)
        .put("hidden_act", "silu")
        .put("initializer_range", 0.02)
        .put("attention_bias", false)
        .put("mlp_bias", false)
        .put("tie_word_embeddings", false)
        .put("bos_token_id", 1)
        .put("eos_token_id", 2)
        .put("torch_dtype", switch (dtype) {
          case BF16 -> "bfloat16";
          case F16 -> "float16";
          default -> "float32";
        });
    CheckpointFiles.writeJson(fs, new Path(directory, CheckpointFiles.MODEL_CONFIG), config);
    CheckpointFiles.writeJson(fs, new Path(directory, "generation_config.json"),
        JSON.createObjectNode().put("bos_token_id", 1).put("eos_token_id", 2));
    ObjectNode tokenizer = JSON.createObjectNode()
        .put("bos_token", "<s>").put("eos_token", "</s>").put("model_max_length", 4096);
    if (member == Member.CHAT) {
      tokenizer.put("chat_template", CHAT_TEMPLATE);
    }
    CheckpointFiles.writeJson(fs, new Path(directory, "tokenizer_config.json"), tokenizer);
  }
}
