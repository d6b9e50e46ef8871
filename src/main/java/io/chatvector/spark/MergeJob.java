package io.chatvector.spark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.OutputDirectory;
import io.chatvector.io.ShardParts;
import io.chatvector.io.Storage;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs a plan on Spark: one task per segment (a byte range of a shard, or a whole shard where the output can be
 * written neither at positions nor in parts) writes it into the output's write directory, and parts are joined
 * into shards as they finish; the driver then adds the model's small files, the provenance and, last, the index,
 * and publishes. Any failure removes what was written, so nothing half-written is left looking complete.
 */
public final class MergeJob {
  private MergeJob() {
  }

  /**
   * @param segments the plan cut into the tasks' segments (whole shards where the output is written neither at
   *     positions nor in parts)
   * @param modelFiles where config and tokenizer files are copied from (the CP, or the chat model for a vector)
   * @param chatTemplate the chat model (or a vector carrying its files) whose chat template the output gets; null for none
   * @param provenance the record of inputs and options, completed here with the shards written
   */
  public static JobSummary run(JavaSparkContext spark, Configuration conf, String command, MergePlan plan,
      List<Segment> segments, OutputDirectory output, Path modelFiles, Path chatTemplate, boolean allowNonFinite,
      boolean resume, ObjectNode provenance, PrintWriter progress) throws IOException {
    long start = System.nanoTime();
    output.begin(resume);
    ShardParts parts = output.shardParts();
    ShardUploads uploads = null;
    try {
      Map<String, SegmentResult> reused = resume
          ? Resumption.reuse(spark, conf, output, segments, plan.inputs().size()) : Map.of();
      if (parts != null) {
        reused = wholeShards(reused, segments);
      }
      Set<String> kept = reused.keySet();
      List<Segment> todo = segments.stream().filter(s -> !kept.contains(s.fingerprint())).toList();
      uploads = parts == null ? null : ShardUploads.start(parts, output, todo);
      List<SegmentResult> fresh = writeSegments(spark, conf, plan, todo, output, parts, uploads, allowNonFinite,
          progress);
      if (uploads != null) {
        uploads.awaitCompleted();
      }
      List<SegmentResult> written = new ArrayList<>(reused.values());
      written.addAll(fresh);
      List<ShardResult> shards = ShardAssembler.assemble(plan, output,
          written.stream().map(SegmentResult::range).toList());
      finish(conf, plan, output, modelFiles, chatTemplate, provenance, shards);
      output.publish();
      return new JobSummary(command, output.target().toString(), plan, shards, bytesReadPerInput(plan, written),
          todo.size(), reused.size(), System.nanoTime() - start);
    } catch (Throwable e) {
      // Spark's own failures are checked exceptions that Scala throws undeclared: catch everything.
      if (uploads != null) {
        uploads.abortUnfinished();
      }
      if (Resumption.worthKeeping(e)) {
        progress.println("kept what was finished in " + output.writeDirectory() + ": rerun with --resume to reuse it");
      } else {
        output.abort();
      }
      throw e;
    } finally {
      if (uploads != null) {
        uploads.close();
      }
    }
  }

  /** Parts join only into a whole shard: where shards are written in parts, a shard is kept whole or redone. */
  private static Map<String, SegmentResult> wholeShards(Map<String, SegmentResult> reused, List<Segment> segments) {
    Set<Integer> redone = segments.stream().filter(s -> !reused.containsKey(s.fingerprint())).map(Segment::shard)
        .collect(Collectors.toSet());
    Map<String, SegmentResult> kept = new HashMap<>();
    segments.stream().filter(s -> !redone.contains(s.shard()))
        .forEach(s -> kept.put(s.fingerprint(), reused.get(s.fingerprint())));
    return kept;
  }

  private static List<SegmentResult> writeSegments(JavaSparkContext spark, Configuration conf, MergePlan plan,
      List<Segment> segments, OutputDirectory output, ShardParts parts, ShardUploads uploads,
      boolean allowNonFinite, PrintWriter progress) {
    return WritingStage.run(spark, conf, "write " + plan.shards().size() + " shards of " + output.target() + " in "
        + segments.size() + " segments", segments, plan.outputBytes(), progress,
        (taskConf, bytesWritten) -> new SegmentWriteTask(plan.inputs(), taskConf,
            output.writeDirectory().toString(), output.writesAtPositions(), output.renamesShardAttempts(),
            parts, uploads == null ? Map.of() : uploads.handles(), allowNonFinite, bytesWritten),
        uploads == null ? (segment, result) -> { } : uploads);
  }

  static void finish(Configuration conf, MergePlan plan, OutputDirectory output, Path modelFiles,
      Path chatTemplate, ObjectNode provenance, List<ShardResult> shards) throws IOException {
    Path staging = output.writeDirectory();
    SegmentRecords.delete(output.fileSystem(), staging);
    CheckpointFiles.copyModelFiles(Storage.fileSystem(modelFiles, conf), modelFiles, output.fileSystem(), staging);
    if (chatTemplate != null) {
      boolean applied = CheckpointFiles.applyChatTemplate(Storage.fileSystem(chatTemplate, conf), chatTemplate,
          output.fileSystem(), staging);
      provenance.put("chat_template_from", applied ? chatTemplate.toString() : null);
    }
    ArrayNode shardRecords = provenance.putArray("shards");
    for (ShardResult shard : shards) {
      shardRecords.addObject().put("file", shard.fileName()).put("bytes", shard.bytes()).put("crc32c", shard.crc32c());
    }
    CheckpointFiles.writeJson(output.fileSystem(), new Path(staging, CheckpointFiles.PROVENANCE_FILE), provenance);
    // The index goes last: a directory without it is, by definition, not a complete checkpoint.
    CheckpointFiles.writeIndex(output.fileSystem(), staging, plan.totalTensorBytes(), plan.weightMap());
  }

  private static Map<String, Long> bytesReadPerInput(MergePlan plan, List<SegmentResult> segments) {
    return bytesReadPerInput(plan.inputs(), segments.stream().map(SegmentResult::bytesReadPerFile).toList());
  }

  /** Bytes read per input checkpoint, summed over tasks' per-file counts. */
  static Map<String, Long> bytesReadPerInput(List<InputFile> inputs, List<long[]> perTask) {
    Map<String, Long> perInput = new LinkedHashMap<>();
    for (long[] counts : perTask) {
      for (int file = 0; file < inputs.size(); file++) {
        perInput.merge(inputs.get(file).input(), counts[file], Long::sum);
      }
    }
    return perInput;
  }
}
