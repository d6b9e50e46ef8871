package io.chatvector.plan;

import io.chatvector.format.DType;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Everything the executors need, and nothing but headers went into it: the input files, the output shards
 * with their headers and chunks, the index's weight map, and what happens to each tensor.
 */
public record MergePlan(List<InputFile> inputs, List<ShardPlan> shards, Map<String, String> weightMap,
    long totalTensorBytes, Map<TensorAction, Integer> actions, long readBytes) {

  public long outputBytes() {
    return shards.stream().mapToLong(ShardPlan::fileLength).sum();
  }

  /** The dtypes the merge arithmetic reads or writes (copied tensors take none). */
  public Set<DType> computedTypes() {
    Set<DType> types = EnumSet.noneOf(DType.class);
    for (ShardPlan shard : shards) {
      for (Chunk chunk : shard.chunks()) {
        if (!chunk.rawCopy()) {
          types.add(chunk.outType());
          chunk.terms().forEach(term -> types.add(term.plus().dtype()));
        }
      }
    }
    return types;
  }

  public int chunkCount() {
    return shards.stream().mapToInt(s -> s.chunks().size()).sum();
  }

  /** The most buffer bytes one task holds at once: for whole chunks, or for pieces when streaming local files. */
  public long taskBufferBytes(boolean pieces) {
    return shards.stream().mapToLong(shard -> BufferSizes.total(shard.chunks(), pieces)).max().orElse(0);
  }

  /** Whether tasks writing at positions stream their chunks in pieces: when every input is a local file. */
  public boolean streamsPieces(boolean writesAtPositions) {
    return writesAtPositions && InputFile.allLocal(inputs);
  }

  /**
   * The shards cut into segments of about {@code segmentBytes} (whole chunks, at least one each), in order; with
   * {@code Long.MAX_VALUE}, one segment per shard. A shard's segments are of even size, each cut at the chunk
   * boundary nearest to an even share, rather than full ones and a short last one: a short task at the end of a
   * stage leaves a core idle (measured: a 1B merge's last segment of 80 MB ran beside one of 256 MB, and a core
   * waited a third of a second). No segment but a shard's last is smaller than {@code minSegmentBytes} (an object
   * store's smallest part of a multipart upload).
   */
  public List<Segment> segments(long segmentBytes, long minSegmentBytes) {
    List<Segment> segments = new ArrayList<>();
    for (ShardPlan shard : shards) {
      long pieces = Math.max(1, Math.min(1 + (shard.fileLength() - 1) / segmentBytes,
          shard.fileLength() / Math.max(1, minSegmentBytes)));
      long share = shard.fileLength() / pieces;
      long remainder = shard.fileLength() % pieces;
      long offset = 0;
      long end = shard.header().length;
      int first = 0;
      int index = 0;
      List<Chunk> chunks = shard.chunks();
      for (int c = 0; c < chunks.size(); c++) {
        end += chunks.get(c).outBytes();
        boolean last = c == chunks.size() - 1;
        long evenEnd = share * (index + 1) + remainder * (index + 1) / pieces;
        long restAfterCut = shard.fileLength() - end;
        if (last || end - offset >= minSegmentBytes && restAfterCut >= minSegmentBytes
            && end + chunks.get(c + 1).outBytes() / 2 >= evenEnd) {
          segments.add(segment(shard, index, offset, List.copyOf(chunks.subList(first, c + 1)), end - offset, last));
          offset = end;
          first = c + 1;
          index++;
        }
      }
      if (chunks.isEmpty()) {
        segments.add(segment(shard, 0, 0, List.of(), end, true));
      }
    }
    return segments;
  }

  private Segment segment(ShardPlan shard, int index, long offset, List<Chunk> chunks, long bytes, boolean last) {
    byte[] header = index == 0 ? shard.header() : null;
    return new Segment(shard.index(), shard.fileName(), index, last, offset, header, chunks, bytes,
        SegmentFingerprint.of(shard.fileName(), offset, bytes, header, chunks, inputs));
  }
}
