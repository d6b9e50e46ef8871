package io.chatvector.plan;

import java.io.Serializable;
import java.util.List;

/**
 * The unit of work of a Spark task: a contiguous byte range of one output shard, as the chunks that fill it. The
 * first segment of a shard also writes its header. Where the output can be written neither at positions nor in
 * parts, a shard is one segment. The fingerprint identifies its planned bytes, for resuming.
 */
public record Segment(int shard, String fileName, int index, boolean last, long offset, byte[] header,
    List<Chunk> chunks, long bytes, String fingerprint) implements Serializable {
}
