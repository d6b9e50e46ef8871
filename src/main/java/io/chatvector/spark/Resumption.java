package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.io.OutputDirectory;
import io.chatvector.io.Storage;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;

/**
 * What a resumed job keeps: segments an earlier run recorded as finished, planned identically (same fingerprint)
 * and whose bytes still read back to the recorded checksum. Reading back happens on executors.
 */
final class Resumption {
  private Resumption() {
  }

  /** A finished segment to check: its file and the range recorded for it. */
  record Candidate(String file, String fingerprint, WrittenRange range) implements Serializable {
  }

  /** Verified segments by fingerprint, as results that read nothing from the inputs. */
  static Map<String, SegmentResult> reuse(JavaSparkContext spark, Configuration conf, OutputDirectory output,
      List<Segment> segments, int inputCount) throws IOException {
    Map<String, WrittenRange> records = SegmentRecords.read(output.fileSystem(), output.writeDirectory());
    List<Candidate> candidates = new ArrayList<>();
    for (Segment segment : segments) {
      WrittenRange recorded = records.get(segment.fingerprint());
      if (recorded != null && recorded.offset() == segment.offset() && recorded.bytes() == segment.bytes()) {
        candidates.add(new Candidate(new Path(output.writeDirectory(), segment.fileName()).toString(),
            segment.fingerprint(), recorded));
      }
    }
    if (candidates.isEmpty()) {
      return Map.of();
    }
    Broadcast<SerializableConfiguration> broadcast = spark.broadcast(new SerializableConfiguration(conf));
    List<Candidate> verified = spark.parallelize(candidates, Math.min(candidates.size(), 2 * spark.defaultParallelism()))
        .filter(new ReadsBack(broadcast)).collect();
    return verified.stream().collect(Collectors.toMap(Candidate::fingerprint,
        candidate -> new SegmentResult(candidate.range(), new long[inputCount])));
  }

  /** Bad input fails again on a rerun, so its leftovers go; anything else may be resumed. */
  static boolean worthKeeping(Throwable failure) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (cause instanceof InvalidInputException) {
        return false;
      }
    }
    return true;
  }

  private static final class ReadsBack implements Function<Candidate, Boolean> {
    private final Broadcast<SerializableConfiguration> conf;

    ReadsBack(Broadcast<SerializableConfiguration> conf) {
      this.conf = conf;
    }

    @Override
    public Boolean call(Candidate candidate) throws IOException {
      Path file = new Path(candidate.file());
      FileSystem fs = Storage.fileSystem(file, conf.value().get());
      if (!fs.exists(file)) {
        return false;
      }
      CRC32C crc = new CRC32C();
      byte[] buffer = new byte[8 << 20];
      try (FSDataInputStream in = fs.open(file)) {
        for (long done = 0; done < candidate.range().bytes(); ) {
          int length = (int) Math.min(buffer.length, candidate.range().bytes() - done);
          in.readFully(candidate.range().offset() + done, buffer, 0, length);
          crc.update(buffer, 0, length);
          done += length;
        }
      } catch (java.io.EOFException shorter) {
        return false;
      }
      return (int) crc.getValue() == candidate.range().crc32c();
    }
  }
}
