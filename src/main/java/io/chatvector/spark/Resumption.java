package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.io.Crc32c;
import io.chatvector.io.OutputDirectory;
import io.chatvector.io.Storage;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;

/**
 * What a resumed job keeps: work an earlier run recorded as finished, planned identically (same fingerprint) and
 * whose bytes still read back to the recorded checksums. Reading back happens on executors.
 */
final class Resumption {
  private Resumption() {
  }

  /** Bytes that should be in a file, as recorded when they were written. */
  record Check(String file, long offset, long bytes, int crc32c) implements Serializable {
  }

  /** A piece of finished work, kept only if every one of its checks passes. */
  record Candidate(String key, List<Check> checks) implements Serializable {
  }

  /** The keys of the candidates whose bytes all read back to their recorded checksums. */
  static Set<String> verified(JavaSparkContext spark, Configuration conf, List<Candidate> candidates) {
    if (candidates.isEmpty()) {
      return Set.of();
    }
    List<Boolean> readBack = ItemJob.map(spark, conf, "resume: read back " + candidates.size() + " finished pieces",
        candidates, Math.min(candidates.size(), 2 * spark.defaultParallelism()), ReadsBack::new);
    Set<String> keys = new HashSet<>();
    for (int candidate = 0; candidate < candidates.size(); candidate++) {
      if (readBack.get(candidate)) {
        keys.add(candidates.get(candidate).key());
      }
    }
    return keys;
  }

  /** A merge's verified segments by fingerprint, as results that read nothing from the inputs. */
  static Map<String, SegmentResult> reuse(JavaSparkContext spark, Configuration conf, OutputDirectory output,
      List<Segment> segments, int inputCount) throws IOException {
    Map<String, WrittenRange> records = SegmentRecords.read(output.fileSystem(), output.writeDirectory());
    List<Candidate> candidates = new ArrayList<>();
    for (Segment segment : segments) {
      WrittenRange recorded = records.get(segment.fingerprint());
      if (recorded != null && recorded.offset() == segment.offset() && recorded.bytes() == segment.bytes()) {
        String file = new Path(output.writeDirectory(), segment.fileName()).toString();
        candidates.add(new Candidate(segment.fingerprint(),
            List.of(new Check(file, recorded.offset(), recorded.bytes(), recorded.crc32c()))));
      }
    }
    Map<String, SegmentResult> reused = new HashMap<>();
    for (String fingerprint : verified(spark, conf, candidates)) {
      reused.put(fingerprint, new SegmentResult(records.get(fingerprint), new long[inputCount], null));
    }
    return reused;
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
    private final SerializableConfiguration conf;

    ReadsBack(SerializableConfiguration conf) {
      this.conf = conf;
    }

    @Override
    public Boolean call(Candidate candidate) throws IOException {
      for (Check check : candidate.checks()) {
        Path file = new Path(check.file());
        FileSystem fs = Storage.fileSystem(file, conf.get());
        try {
          if (!fs.exists(file) || Crc32c.ofRange(fs, file, check.offset(), check.bytes()) != check.crc32c()) {
            return false;
          }
        } catch (java.io.EOFException shorter) {
          return false;
        }
      }
      return true;
    }
  }
}
