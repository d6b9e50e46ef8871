package io.chatvector.spark;

import java.io.Serializable;

/** What a segment task reports: the range it wrote and bytes read per input file. */
public record SegmentResult(WrittenRange range, long[] bytesReadPerFile) implements Serializable {
}
