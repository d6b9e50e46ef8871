package io.chatvector.plan;

import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import io.chatvector.format.TensorInfo;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import io.chatvector.plan.OutputTensor.Region;
import io.chatvector.plan.OutputTensor.TensorRef;
import io.chatvector.plan.OutputTensor.TermRef;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Decides, from headers alone, what happens to every tensor, and validates the models against each other
 * before anything is read or written. Tensors are matched by name, never by position.
 */
public final class MergePlanner {
  private final PlanOptions options;
  private final InputFiles files;

  private MergePlanner(PlanOptions options, InputFiles files) {
    this.options = options;
    this.files = files;
  }

  /** {@code cp + sum(weight_i * vector_i)}, in the CP's tensor order. */
  public static MergePlan merge(Checkpoint cp, List<VectorInput> vectors, PlanOptions options) {
    return merge(cp, vectors, options, new InputFiles());
  }

  /** As {@link #merge(Checkpoint, List, PlanOptions)}, numbering input files in a registry shared with other plans. */
  public static MergePlan merge(Checkpoint cp, List<VectorInput> vectors, PlanOptions options, InputFiles files) {
    MergePlanner planner = new MergePlanner(options, files);
    for (int v = 0; v < vectors.size(); v++) {
      planner.validateVector(vectors.get(v), cp);
    }
    List<OutputTensor> outputs = new ArrayList<>();
    for (CheckpointTensor tensor : cp.tensors()) {
      outputs.add(planner.planCpTensor(cp, tensor, vectors));
    }
    return planner.layout(outputs);
  }

  /** The chat vector {@code chat - base}, in the chat model's tensor order. */
  public static MergePlan extract(Checkpoint base, Checkpoint chat, PlanOptions options) {
    MergePlanner planner = new MergePlanner(options, new InputFiles());
    VectorInput difference = VectorInput.difference(1.0f, chat, base);
    planner.validateVector(difference, null);
    List<OutputTensor> outputs = new ArrayList<>();
    for (CheckpointTensor tensor : chat.tensors()) {
      String name = tensor.name();
      if (options.excludes(name)) {
        outputs.add(omitted(tensor, TensorAction.OMITTED_EXCLUDED));
      } else if (!tensor.info().dtype().isMergeable()) {
        outputs.add(omitted(tensor, TensorAction.OMITTED_NOT_FLOAT));
      } else {
        DType outType = options.outType() != null ? options.outType() : tensor.info().dtype();
        Region all = new Region(0, tensor.info().elements(), null,
            List.of(planner.term(difference, name)), false);
        outputs.add(new OutputTensor(name, outType, tensor.info().shape(), List.of(all), TensorAction.EXTRACTED));
      }
    }
    return planner.layout(outputs);
  }

  private static OutputTensor omitted(CheckpointTensor tensor, TensorAction action) {
    return new OutputTensor(tensor.name(), tensor.info().dtype(), tensor.info().shape(), List.of(), action);
  }

  /**
   * Checks one vector on its own (and a chat/base pair against each other) and, when merging, that every
   * tensor it holds exists in the CP.
   */
  private void validateVector(VectorInput vector, Checkpoint cp) {
    Checkpoint plus = vector.vectorOrChat();
    Checkpoint base = vector.base();
    for (CheckpointTensor tensor : plus.tensors()) {
      String name = tensor.name();
      if (options.excludes(name)) {
        continue;
      }
      if (base != null) {
        checkPair(tensor, base.tensor(name), plus, base);
      } else if (!tensor.info().dtype().isMergeable()) {
        throw new InvalidInputException(tensor.file() + ": tensor '" + name + "' has dtype " + tensor.info().dtype()
            + "; a chat vector holds only F32, BF16 or F16 tensors");
      }
      if (cp != null && cp.tensor(name) == null && tensor.info().dtype().isMergeable()) {
        throw new InvalidInputException(cp.directory() + ": tensor '" + name + "' is in "
            + (base != null ? "the chat model " : "the vector ") + plus.directory()
            + " but not in the CP model (use --exclude to leave it out)");
      }
    }
    if (base != null) {
      for (CheckpointTensor tensor : base.tensors()) {
        if (!options.excludes(tensor.name()) && plus.tensor(tensor.name()) == null) {
          throw new InvalidInputException(plus.directory() + ": tensor '" + tensor.name() + "' is in the base model "
              + base.directory() + " but not in the chat model (use --exclude to leave it out)");
        }
      }
    }
  }

  private static void checkPair(CheckpointTensor chat, CheckpointTensor base, Checkpoint chatModel,
      Checkpoint baseModel) {
    String name = chat.name();
    if (base == null) {
      throw new InvalidInputException(baseModel.directory() + ": tensor '" + name + "' is in the chat model "
          + chatModel.directory() + " but not in the base model (use --exclude to leave it out)");
    }
    if (!Arrays.equals(chat.info().shape(), base.info().shape())) {
      throw new InvalidInputException(chat.file() + ": tensor '" + name + "' has shape " + chat.info().shapeString()
          + " in the chat model but " + base.info().shapeString() + " in the base model " + base.file());
    }
    if (chat.info().dtype().isMergeable() != base.info().dtype().isMergeable()) {
      throw new InvalidInputException(chat.file() + ": tensor '" + name + "' has dtype " + chat.info().dtype()
          + " in the chat model but " + base.info().dtype() + " in the base model " + base.file());
    }
  }

  private OutputTensor planCpTensor(Checkpoint cp, CheckpointTensor tensor, List<VectorInput> vectors) {
    String name = tensor.name();
    TensorInfo info = tensor.info();
    if (options.excludes(name)) {
      return copied(cp, tensor, TensorAction.COPIED_EXCLUDED);
    }
    List<VectorInput> having = new ArrayList<>();
    for (VectorInput vector : vectors) {
      CheckpointTensor entry = vector.vectorOrChat().tensor(name);
      if (entry != null && entry.info().dtype().isMergeable()) {
        having.add(vector);
      }
    }
    if (having.isEmpty()) {
      return copied(cp, tensor, TensorAction.COPIED_NOT_IN_VECTOR);
    }
    if (!info.dtype().isMergeable()) {
      throw new InvalidInputException(tensor.file() + ": tensor '" + name + "' has dtype " + info.dtype()
          + ", which cannot be merged, but " + having.get(0).vectorOrChat().directory() + " has it");
    }
    long rowElements = info.shape().length == 0 ? 1 : info.elements() / Math.max(1, info.rows());
    TreeSet<Long> boundaries = new TreeSet<>(List.of(0L, info.elements()));
    Map<VectorInput, Long> limits = new LinkedHashMap<>();
    for (VectorInput vector : having) {
      long rows = sharedRows(cp, tensor, vector);
      long limit = rows == info.rows() ? info.elements() : rows * rowElements;
      limits.put(vector, limit);
      boundaries.add(limit);
    }
    boolean vocabulary = boundaries.size() > 2;
    if (vocabulary && options.embeddings() == EmbeddingsMode.SKIP) {
      return copied(cp, tensor, TensorAction.COPIED_VOCABULARY);
    }
    DType outType = options.outType() != null ? options.outType() : info.dtype();
    TensorRef start = ref(cp, tensor);
    List<Region> regions = new ArrayList<>();
    Long previous = null;
    for (long boundary : boundaries) {
      if (previous != null) {
        List<TermRef> terms = new ArrayList<>();
        for (Map.Entry<VectorInput, Long> limit : limits.entrySet()) {
          if (limit.getValue() >= boundary) {
            terms.add(term(limit.getKey(), name));
          }
        }
        regions.add(new Region(previous, boundary - previous, start, terms, false));
      }
      previous = boundary;
    }
    return new OutputTensor(name, outType, info.shape(), regions,
        vocabulary ? TensorAction.OVERLAPPED : TensorAction.MERGED);
  }

  /**
   * Rows of the CP tensor the vector covers: all of them when shapes are equal, fewer in the vocabulary case
   * (the CP has more rows, same trailing dimensions); any other mismatch is an error.
   */
  private long sharedRows(Checkpoint cp, CheckpointTensor tensor, VectorInput vector) {
    CheckpointTensor entry = vector.vectorOrChat().tensor(tensor.name());
    long[] cpShape = tensor.info().shape();
    long[] vectorShape = entry.info().shape();
    if (Arrays.equals(cpShape, vectorShape)) {
      return tensor.info().rows();
    }
    boolean vocabularyCase = cpShape.length >= 1 && cpShape.length == vectorShape.length
        && cpShape[0] > vectorShape[0]
        && Arrays.equals(Arrays.copyOfRange(cpShape, 1, cpShape.length),
            Arrays.copyOfRange(vectorShape, 1, vectorShape.length));
    String where = tensor.file() + ": tensor '" + tensor.name() + "' has shape " + tensor.info().shapeString()
        + " in the CP model but " + entry.info().shapeString() + " in " + entry.file();
    if (!vocabularyCase) {
      throw new InvalidInputException(where);
    }
    if (options.embeddings() == EmbeddingsMode.ERROR) {
      throw new InvalidInputException(where + " (the CP has a larger vocabulary): use --embeddings skip to keep the"
          + " CP's tensor, or --embeddings overlap to add the vector to the first " + vectorShape[0] + " rows");
    }
    return vectorShape[0];
  }

  private OutputTensor copied(Checkpoint cp, CheckpointTensor tensor, TensorAction action) {
    TensorInfo info = tensor.info();
    Region all = new Region(0, info.elements(), ref(cp, tensor), List.of(), true);
    return new OutputTensor(tensor.name(), info.dtype(), info.shape(), List.of(all), action);
  }

  private TermRef term(VectorInput vector, String name) {
    CheckpointTensor plus = vector.vectorOrChat().tensor(name);
    CheckpointTensor minus = vector.base() == null ? null : vector.base().tensor(name);
    return new TermRef(vector.weight(), ref(vector.vectorOrChat(), plus),
        minus == null ? null : ref(vector.base(), minus));
  }

  private TensorRef ref(Checkpoint owner, CheckpointTensor tensor) {
    return new TensorRef(files.indexOf(owner, tensor), tensor.dataPosition(), tensor.info().dtype());
  }

  private MergePlan layout(List<OutputTensor> outputs) {
    Map<TensorAction, Integer> actions = new EnumMap<>(TensorAction.class);
    List<OutputTensor> written = new ArrayList<>();
    for (OutputTensor output : outputs) {
      actions.merge(output.action(), 1, Integer::sum);
      if (!output.regions().isEmpty()) {
        written.add(output);
      }
    }
    if (written.isEmpty()) {
      throw new InvalidInputException("Cannot write a checkpoint with no tensors: every tensor was left out");
    }
    List<ShardPlan> shards = ShardLayout.layout(written, options);
    Map<String, String> weightMap = new LinkedHashMap<>();
    long totalBytes = 0;
    long readBytes = 0;
    for (ShardPlan shard : shards) {
      for (TensorInfo tensor : shard.tensors()) {
        weightMap.put(tensor.name(), shard.fileName());
      }
      for (Chunk chunk : shard.chunks()) {
        readBytes += chunk.bytesRead();
      }
    }
    for (OutputTensor output : written) {
      totalBytes += output.byteLength();
    }
    return new MergePlan(files.list(), shards, weightMap, totalBytes, actions, readBytes);
  }
}
