package io.chatvector.spark;

import java.io.Serializable;

/**
 * What a segment task reports: the range it wrote, bytes read per input file, and, where the segment was written
 * as a part of its shard, the part's receipt (else null).
 */
public record SegmentResult(WrittenRange range, long[] bytesReadPerFile, byte[] part) implements Serializable {
}
