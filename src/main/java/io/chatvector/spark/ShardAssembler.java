package io.chatvector.spark;

import io.chatvector.io.Crc32c;
import io.chatvector.io.OutputDirectory;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.ShardPlan;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.hadoop.fs.Path;

/**
 * Checks that the ranges tasks wrote tile every shard exactly, from byte 0 to its planned length, that each shard
 * has that length on storage, and combines the ranges' checksums into the shard's.
 */
final class ShardAssembler {
  private ShardAssembler() {
  }

  static List<ShardResult> assemble(MergePlan plan, OutputDirectory output, List<WrittenRange> ranges)
      throws IOException {
    List<ShardResult> shards = new ArrayList<>();
    for (ShardPlan shard : plan.shards()) {
      List<WrittenRange> ofShard = ranges.stream().filter(range -> range.shard() == shard.index())
          .sorted(Comparator.comparingLong(WrittenRange::offset)).toList();
      long bytes = 0;
      int crc = 0;
      for (WrittenRange range : ofShard) {
        if (range.offset() != bytes) {
          throw new IOException(shard.fileName() + ": bytes " + bytes + " to " + range.offset()
              + " were not written (or were written twice)");
        }
        crc = Crc32c.combine(crc, range.crc32c(), range.bytes());
        bytes += range.bytes();
      }
      Path file = new Path(output.writeDirectory(), shard.fileName());
      long stored = output.fileSystem().getFileStatus(file).getLen();
      if (bytes != shard.fileLength() || stored != shard.fileLength()) {
        throw new IOException(file + ": holds " + stored + " bytes, wrote " + bytes + ", planned " + shard.fileLength());
      }
      shards.add(new ShardResult(shard.fileName(), bytes, String.format("%08x", crc)));
    }
    return shards;
  }
}
