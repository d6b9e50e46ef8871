package io.chatvector.plan;

import io.chatvector.format.DType;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * How to plan: the output type of computed tensors (null: keep the CP's, or the chat model's when extracting),
 * tensors to leave alone, the vocabulary rule, and the sizes of chunks and shards in bytes.
 */
public record PlanOptions(DType outType, Pattern exclude, EmbeddingsMode embeddings, long chunkBytes,
    long maxShardSize, Map<String, String> outputMetadata) {

  public static final long DEFAULT_CHUNK_BYTES = 32_000_000L;
  public static final long DEFAULT_MAX_SHARD_SIZE = 5_000_000_000L;
  /** Chunks are held in Java arrays, so they stay well below 2 GiB. */
  public static final long MAX_CHUNK_BYTES = 1_000_000_000L;

  public PlanOptions {
    if (chunkBytes < 1024 || chunkBytes > MAX_CHUNK_BYTES) {
      throw new IllegalArgumentException("Cannot use a chunk size of " + chunkBytes + " bytes: it must be between 1KB and 1GB");
    }
    if (maxShardSize < 1) {
      throw new IllegalArgumentException("Cannot use a maximum shard size of " + maxShardSize + " bytes: it must be positive");
    }
  }

  public boolean excludes(String tensor) {
    return exclude != null && exclude.matcher(tensor).find();
  }
}
