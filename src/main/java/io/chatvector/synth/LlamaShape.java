package io.chatvector.synth;

import io.chatvector.format.DType;
import io.chatvector.format.TensorInfo;
import java.util.ArrayList;
import java.util.List;

/** The dimensions of a Llama-style decoder, and its tensors in state-dict order. */
public record LlamaShape(int layers, long hidden, long intermediate, long vocab, int heads, int kvHeads) {

  public LlamaShape {
    if (layers < 1 || hidden < 1 || intermediate < 1 || vocab < 1) {
      throw new IllegalArgumentException("Cannot make a model with layers, hidden, intermediate and vocab below 1");
    }
    if (heads < 1 || hidden % heads != 0 || kvHeads < 1 || heads % kvHeads != 0) {
      throw new IllegalArgumentException("Cannot split hidden size " + hidden + " into " + heads + " heads and "
          + kvHeads + " key/value heads: hidden must divide by heads, heads by key/value heads");
    }
  }

  /**
   * Published shapes by parameter count: Llama-2 (1B is TinyLlama-like, 3B OpenLLaMA-3B-like, 7B) and Llama-3 (8B,
   * 70B, 405B with grouped-query attention and a 128256-token vocabulary).
   */
  public static LlamaShape named(String size) {
    return switch (size.toUpperCase(java.util.Locale.ROOT)) {
      case "1B" -> new LlamaShape(16, 2048, 5504, 32000, 32, 32);
      case "3B" -> new LlamaShape(26, 3200, 8640, 32000, 32, 32);
      case "7B" -> new LlamaShape(32, 4096, 11008, 32000, 32, 32);
      case "8B" -> new LlamaShape(32, 4096, 14336, 128256, 32, 8);
      case "70B" -> new LlamaShape(80, 8192, 28672, 128256, 64, 8);
      case "405B" -> new LlamaShape(126, 16384, 53248, 128256, 128, 8);
      default -> throw new IllegalArgumentException("Cannot make a model of size '" + size
          + "': expected 1B, 3B, 7B, 8B, 70B or 405B");
    };
  }

  /** Heads of 64 dimensions where the hidden size allows, as small Llama-style models have. */
  public static int defaultHeads(long hidden) {
    return hidden % 64 == 0 ? (int) (hidden / 64) : 1;
  }

  public List<TensorInfo> tensors(DType dtype, long extraVocab) {
    long kvDim = hidden / heads * kvHeads;
    List<TensorInfo> tensors = new ArrayList<>();
    tensors.add(tensor("model.embed_tokens.weight", dtype, vocab + extraVocab, hidden));
    for (int layer = 0; layer < layers; layer++) {
      String prefix = "model.layers." + layer + ".";
      tensors.add(tensor(prefix + "self_attn.q_proj.weight", dtype, hidden, hidden));
      tensors.add(tensor(prefix + "self_attn.k_proj.weight", dtype, kvDim, hidden));
      tensors.add(tensor(prefix + "self_attn.v_proj.weight", dtype, kvDim, hidden));
      tensors.add(tensor(prefix + "self_attn.o_proj.weight", dtype, hidden, hidden));
      tensors.add(tensor(prefix + "mlp.gate_proj.weight", dtype, intermediate, hidden));
      tensors.add(tensor(prefix + "mlp.up_proj.weight", dtype, intermediate, hidden));
      tensors.add(tensor(prefix + "mlp.down_proj.weight", dtype, hidden, intermediate));
      tensors.add(tensor(prefix + "input_layernorm.weight", dtype, hidden));
      tensors.add(tensor(prefix + "post_attention_layernorm.weight", dtype, hidden));
    }
    tensors.add(tensor("model.norm.weight", dtype, hidden));
    tensors.add(tensor("lm_head.weight", dtype, vocab + extraVocab, hidden));
    return tensors;
  }

  public long parameters(long extraVocab) {
    return tensors(DType.F32, extraVocab).stream().mapToLong(TensorInfo::elements).sum();
  }

  private static TensorInfo tensor(String name, DType dtype, long... shape) {
    return new TensorInfo(name, dtype, shape, 0, dtype.bytesFor(TensorInfo.elementCount(shape)));
  }
}
