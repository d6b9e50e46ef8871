package io.chatvector.plan;

import java.util.List;
import java.util.Map;

/**
 * Everything the executors need, and nothing but headers went into it: the input files, the output shards
 * with their headers and chunks, the index's weight map, and what happens to each tensor.
 */
public record MergePlan(List<InputFile> inputs, List<ShardPlan> shards, Map<String, String> weightMap,
    long totalTensorBytes, Map<TensorAction, Integer> actions, long readBytes) {

  public long outputBytes() {
    return shards.stream().mapToLong(ShardPlan::fileLength).sum();
  }

  public int chunkCount() {
    return shards.stream().mapToInt(s -> s.chunks().size()).sum();
  }

  /** The most bytes one shard task holds at once: its largest chunk's buffers for every role. */
  public long taskBufferBytes() {
    return shards.stream().mapToLong(ChunkBuffers::bytesNeeded).max().orElse(0);
  }
}
