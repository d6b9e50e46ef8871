package io.chatvector.spark;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.io.CheckpointFiles;
import io.chatvector.io.OutputDirectory;
import io.chatvector.io.Storage;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs a plan on Spark: one task per segment (a byte range of a shard, or a whole shard where the output cannot be
 * written at positions) writes it into the output's write directory; the driver then
 * adds the model's small files, the provenance and, last, the index, and publishes. Any failure removes what was
 * written, so nothing half-written is left looking complete.
 */
public final class MergeJob {
  private MergeJob() {
  }

  /**
   * @param segments the plan cut into the tasks' segments (whole shards where the output is not written at positions)
   * @param modelFiles where config and tokenizer files are copied from (the CP, or the chat model for a vector)
   * @param chatTemplate the chat model (or a vector carrying its files) whose chat template the output gets; null for none
   * @param provenance the record of inputs and options, completed here with the shards written
   */
  public static JobSummary run(JavaSparkContext spark, Configuration conf, String command, MergePlan plan,
      List<Segment> segments, OutputDirectory output, Path modelFiles, Path chatTemplate, boolean allowNonFinite,
      boolean resume, ObjectNode provenance, PrintWriter progress) throws IOException {
    long start = System.nanoTime();
    output.begin(resume);
    try {
      Map<String, SegmentResult> reused = resume
          ? Resumption.reuse(spark, conf, output, segments, plan.inputs().size()) : Map.of();
      List<Segment> todo = segments.stream().filter(s -> !reused.containsKey(s.fingerprint())).toList();
      List<SegmentResult> written = new java.util.ArrayList<>(reused.values());
      written.addAll(writeSegments(spark, conf, plan, todo, output, allowNonFinite, progress));
      List<ShardResult> shards = ShardAssembler.assemble(plan, output,
          written.stream().map(SegmentResult::range).toList());
      finish(conf, plan, output, modelFiles, chatTemplate, provenance, shards);
      output.publish();
      return new JobSummary(command, output.target().toString(), plan, shards, bytesReadPerInput(plan, written),
          todo.size(), reused.size(), System.nanoTime() - start);
    } catch (Throwable e) {
      // Spark's own failures are checked exceptions that Scala throws undeclared: catch everything.
      if (Resumption.worthKeeping(e)) {
        progress.println("kept what was finished in " + output.writeDirectory() + ": rerun with --resume to reuse it");
      } else {
        output.abort();
      }
      throw e;
    }
  }

  private static List<SegmentResult> writeSegments(JavaSparkContext spark, Configuration conf, MergePlan plan,
      List<Segment> segments, OutputDirectory output, boolean allowNonFinite, PrintWriter progress) {
    return WritingStage.run(spark, conf, "write " + plan.shards().size() + " shards of " + output.target() + " in "
        + segments.size() + " segments", segments, plan.outputBytes(), progress,
        (taskConf, bytesWritten) -> new SegmentWriteTask(plan.inputs(), taskConf,
            output.writeDirectory().toString(), output.writesAtPositions(), output.renamesShardAttempts(),
            allowNonFinite, bytesWritten));
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
