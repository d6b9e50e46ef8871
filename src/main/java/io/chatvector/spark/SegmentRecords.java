package io.chatvector.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Records of finished segments, kept in the write directory until the checkpoint is published: what a resumed
 * run may reuse, after reading the bytes back against the recorded checksum.
 */
final class SegmentRecords {
  static final String DIRECTORY = "_chatvector_segments";
  private static final ObjectMapper JSON = new ObjectMapper();

  private SegmentRecords() {
  }

  /** Written by the task that finished the segment, after its bytes are in place. */
  static void record(FileSystem fs, Path writeDirectory, Segment segment, WrittenRange range) throws IOException {
    Path file = new Path(new Path(writeDirectory, DIRECTORY), segment.fileName() + "." + segment.index() + ".json");
    try (OutputStream out = fs.create(file, true)) {
      out.write(JSON.writeValueAsBytes(record(JSON.createObjectNode(), segment, range)));
    }
  }

  /** Written by the driver for a shard written in parts, once its parts are joined: all its segments at once. */
  static void recordShard(FileSystem fs, Path writeDirectory, String fileName, List<Segment> segments,
      List<WrittenRange> ranges) throws IOException {
    ObjectNode shard = JSON.createObjectNode();
    ArrayNode records = shard.putArray("segments");
    for (int segment = 0; segment < segments.size(); segment++) {
      record(records.addObject(), segments.get(segment), ranges.get(segment));
    }
    try (OutputStream out = fs.create(new Path(new Path(writeDirectory, DIRECTORY), fileName + ".json"), true)) {
      out.write(JSON.writeValueAsBytes(shard));
    }
  }

  private static ObjectNode record(ObjectNode record, Segment segment, WrittenRange range) {
    return record.put("fingerprint", segment.fingerprint())
        .put("shard", range.shard())
        .put("offset", range.offset())
        .put("bytes", range.bytes())
        .put("crc32c", range.crc32c());
  }

  /** The segment records an earlier run left, by fingerprint. */
  static Map<String, WrittenRange> read(FileSystem fs, Path writeDirectory) throws IOException {
    Map<String, WrittenRange> records = new HashMap<>();
    Path directory = new Path(writeDirectory, DIRECTORY);
    if (!fs.exists(directory)) {
      return records;
    }
    for (FileStatus status : fs.listStatus(directory)) {
      if (!status.isFile() || status.getPath().getName().startsWith("group-")) {
        continue;
      }
      try (InputStream in = fs.open(status.getPath())) {
        JsonNode file = JSON.readTree(in);
        for (JsonNode record : file.has("segments") ? file.path("segments") : List.of(file)) {
          records.put(record.path("fingerprint").asText(), new WrittenRange(record.path("shard").asInt(),
              record.path("offset").asLong(), record.path("bytes").asLong(), record.path("crc32c").asInt()));
        }
      } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
        // A record cut short by a kill: its segment is simply done again.
      }
    }
    return records;
  }

  /** Written by a sweep task for each output it finished a group for: the group's fingerprint and its runs. */
  static void recordGroup(FileSystem fs, Path writeDirectory, int group, String fingerprint,
      List<SweepGroupTask.Written> runs) throws IOException {
    ObjectNode record = JSON.createObjectNode().put("fingerprint", fingerprint);
    ArrayNode ranges = record.putArray("runs");
    for (SweepGroupTask.Written run : runs) {
      ranges.addObject().put("shard", run.range().shard()).put("offset", run.range().offset())
          .put("bytes", run.range().bytes()).put("crc32c", run.range().crc32c()).put("part", run.partFile());
    }
    try (OutputStream out = fs.create(new Path(new Path(writeDirectory, DIRECTORY), "group-" + group + ".json"), true)) {
      out.write(JSON.writeValueAsBytes(record));
    }
  }

  /** The group records an earlier sweep left in one output, by fingerprint. */
  static Map<String, List<SweepGroupTask.Written>> readGroups(FileSystem fs, Path writeDirectory) throws IOException {
    Map<String, List<SweepGroupTask.Written>> records = new HashMap<>();
    Path directory = new Path(writeDirectory, DIRECTORY);
    if (!fs.exists(directory)) {
      return records;
    }
    for (FileStatus status : fs.listStatus(directory)) {
      if (!status.isFile() || !status.getPath().getName().startsWith("group-")) {
        continue;
      }
      try (InputStream in = fs.open(status.getPath())) {
        JsonNode record = JSON.readTree(in);
        List<SweepGroupTask.Written> runs = new java.util.ArrayList<>();
        for (JsonNode run : record.path("runs")) {
          runs.add(new SweepGroupTask.Written(new WrittenRange(run.path("shard").asInt(), run.path("offset").asLong(),
              run.path("bytes").asLong(), run.path("crc32c").asInt()), run.path("part").asText(null)));
        }
        records.put(record.path("fingerprint").asText(), runs);
      } catch (com.fasterxml.jackson.core.JsonProcessingException unreadable) {
        // A record cut short by a kill: its group is simply done again.
      }
    }
    return records;
  }

  static void delete(FileSystem fs, Path writeDirectory) throws IOException {
    fs.delete(new Path(writeDirectory, DIRECTORY), true);
  }
}
