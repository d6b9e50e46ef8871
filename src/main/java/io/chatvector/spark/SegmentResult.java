package io.chatvector.spark;

import java.io.Serializable;

/** What a segment task reports: where its bytes went, their CRC32C, and bytes read per input file. */
public record SegmentResult(int shard, int segment, long offset, long bytes, int crc32c, long[] bytesReadPerFile)
    implements Serializable {
}
