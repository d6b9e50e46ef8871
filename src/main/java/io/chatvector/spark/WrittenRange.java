package io.chatvector.spark;

import java.io.Serializable;

/** Bytes a task wrote into a shard: where, how many, and their CRC32C. */
public record WrittenRange(int shard, long offset, long bytes, int crc32c) implements Serializable {
}
