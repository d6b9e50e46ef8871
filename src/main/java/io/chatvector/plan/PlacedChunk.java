package io.chatvector.plan;

import java.io.Serializable;

/** A chunk of one output of a sweep, and where its bytes go: a shard of that output, at a byte position. */
public record PlacedChunk(int output, int shard, long position, Chunk chunk) implements Serializable {
}
