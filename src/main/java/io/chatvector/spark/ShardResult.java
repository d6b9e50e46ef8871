package io.chatvector.spark;

import java.io.Serializable;

/** What a shard task reports back: the file it wrote, its size and checksum, and bytes read per input file. */
public record ShardResult(String fileName, long bytes, String crc32c, long[] bytesReadPerFile) implements Serializable {
}
