package io.chatvector.plan;

import io.chatvector.format.DType;
import io.chatvector.format.HeaderWriter;
import io.chatvector.format.TensorInfo;
import io.chatvector.plan.OutputTensor.Region;
import io.chatvector.plan.OutputTensor.TensorRef;
import io.chatvector.plan.OutputTensor.TermRef;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * Splits output tensors into Hugging Face shards and each tensor into chunks.
 *
 * <p>Shards are filled greedily in tensor order: a shard is closed when the next tensor would take it past the
 * maximum (strict {@code >}), and a tensor larger than the maximum gets a shard of its own. Unlike
 * huggingface_hub, which appends such a tensor's shard out of order, the shard before it is closed first, so
 * tensors keep their order across shards.
 */
public final class ShardLayout {
  private ShardLayout() {
  }

  /** Groups items, in order, into shards of at most {@code maxShardSize} bytes (but for oversized items). */
  public static <T> List<List<T>> group(List<T> items, ToLongFunction<T> bytesOf, long maxShardSize) {
    List<List<T>> groups = new ArrayList<>();
    List<T> current = new ArrayList<>();
    long currentBytes = 0;
    for (T item : items) {
      long bytes = bytesOf.applyAsLong(item);
      if (!current.isEmpty() && currentBytes + bytes > maxShardSize) {
        groups.add(current);
        current = new ArrayList<>();
        currentBytes = 0;
      }
      current.add(item);
      currentBytes += bytes;
    }
    groups.add(current);
    return groups;
  }

  static List<ShardPlan> layout(List<OutputTensor> tensors, PlanOptions options) {
    List<List<OutputTensor>> groups = group(tensors, OutputTensor::byteLength, options.maxShardSize());
    List<ShardPlan> shards = new ArrayList<>();
    for (int i = 0; i < groups.size(); i++) {
      shards.add(shard(i, groups.size(), groups.get(i), options));
    }
    return shards;
  }

  public static String shardName(int index, int count) {
    return String.format("model-%05d-of-%05d.safetensors", index + 1, count);
  }

  private static ShardPlan shard(int index, int count, List<OutputTensor> tensors, PlanOptions options) {
    List<TensorInfo> infos = new ArrayList<>();
    List<Chunk> chunks = new ArrayList<>();
    long dataBytes = 0;
    for (OutputTensor tensor : tensors) {
      infos.add(tensor.info());
      dataBytes += tensor.byteLength();
      for (Region region : tensor.regions()) {
        if (region.raw()) {
          addCopyChunks(tensor, region.start(), options.chunkBytes(), chunks);
        } else {
          addComputeChunks(tensor, region, options.chunkBytes(), chunks);
        }
      }
    }
    byte[] header = HeaderWriter.write(options.outputMetadata(), infos);
    return new ShardPlan(index, shardName(index, count), header, infos, chunks, header.length + dataBytes);
  }

  private static void addCopyChunks(OutputTensor tensor, TensorRef source, long chunkBytes, List<Chunk> chunks) {
    long total = tensor.byteLength();
    for (long offset = 0; offset < total; offset += chunkBytes) {
      int bytes = (int) Math.min(chunkBytes, total - offset);
      Source range = new Source(source.file(), source.dataPosition() + offset, bytes, source.dtype());
      long firstElement = offset * 8 / tensor.dtype().bits();
      chunks.add(new Chunk(tensor.name(), tensor.shape(), firstElement, 0, tensor.dtype(), offset, bytes, range,
          List.of(), true));
    }
  }

  /**
   * Chunks of {@code chunkBytes / 4} elements (the f32 width, whatever the dtypes), counted from the region's
   * start: outputs of different dtypes cut a shared vector tensor at the same places, so a sweep reads each vector
   * chunk once for all of them.
   */
  private static void addComputeChunks(OutputTensor tensor, Region region, long chunkBytes, List<Chunk> chunks) {
    long perChunk = Math.max(8, chunkBytes / 4 / 8 * 8);
    for (long first = region.first(); first < region.first() + region.count(); first += perChunk) {
      int elements = (int) Math.min(perChunk, region.first() + region.count() - first);
      List<SourceTerm> terms = new ArrayList<>();
      for (TermRef term : region.terms()) {
        terms.add(new SourceTerm(term.weight(), source(term.plus(), first, elements),
            term.minus() == null ? null : source(term.minus(), first, elements)));
      }
      Source start = region.start() == null ? null : source(region.start(), first, elements);
      chunks.add(new Chunk(tensor.name(), tensor.shape(), first, elements, tensor.dtype(),
          tensor.dtype().bytesFor(first), (int) tensor.dtype().bytesFor(elements), start, terms, false));
    }
  }

  private static Source source(TensorRef tensor, long firstElement, int elements) {
    DType dtype = tensor.dtype();
    return new Source(tensor.file(), tensor.dataPosition() + dtype.bytesFor(firstElement),
        (int) dtype.bytesFor(elements), dtype);
  }
}
