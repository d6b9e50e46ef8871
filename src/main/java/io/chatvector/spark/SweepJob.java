package io.chatvector.spark;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.chatvector.io.OutputDirectory;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.PlacedChunk;
import io.chatvector.plan.SegmentFingerprint;
import io.chatvector.plan.ShardPlan;
import io.chatvector.plan.SweepPlan;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaSparkContext;

/**
 * Runs a sweep as one Spark job: tasks compute groups for all outputs at once. On local disk the driver writes every
 * shard's header and tasks write chunks at their positions; elsewhere tasks write parts and a final stage assembles
 * each shard in order. Then each complete output gets its small files and index and is published.
 */
public final class SweepJob {
  private SweepJob() {
  }

  /** One output of the sweep and what its checkpoint gets besides shards. */
  public record Output(String name, OutputDirectory directory, Path modelFiles, Path chatTemplate,
      ObjectNode provenance) {
  }

  /** Outputs written (with their shards), outputs that failed (with why), bytes read per input, groups kept. */
  public record Outcome(Map<String, List<ShardResult>> written, Map<String, String> failures,
      Map<String, Long> bytesReadPerInput, int tasks, int keptGroups, long nanos) {
  }

  public static Outcome run(JavaSparkContext spark, Configuration conf, SweepPlan plan, List<Output> outputs,
      boolean allowNonFinite, boolean keepGoing, boolean resume, PrintWriter progress) throws IOException {
    long start = System.nanoTime();
    boolean positional = outputs.stream().allMatch(output -> output.directory().writesAtPositions());
    List<String> directories = outputs.stream().map(o -> o.directory().writeDirectory().toString()).toList();
    List<List<String>> shardNames = plan.outputs().stream()
        .map(p -> p.shards().stream().map(ShardPlan::fileName).toList()).toList();
    try {
      List<List<WrittenRange>> headers = new ArrayList<>();
      for (int o = 0; o < outputs.size(); o++) {
        outputs.get(o).directory().begin(resume);
        headers.add(positional ? writeHeaders(plan.outputs().get(o), outputs.get(o).directory())
            : headerRanges(plan.outputs().get(o)));
      }
      List<SweepGroupTask.Work> work = plan.groups().stream().map(group -> new SweepGroupTask.Work(group,
          SegmentFingerprint.of(group, plan.inputs(), directories, shardNames))).toList();
      Map<String, Map<Integer, List<SweepGroupTask.Written>>> kept = resume
          ? keptGroups(spark, conf, outputs, shardNames, work) : Map.of();
      List<SweepGroupTask.Work> todo = work.stream().filter(w -> !kept.containsKey(w.fingerprint())).toList();
      List<SweepGroupTask.Result> results = new ArrayList<>(compute(spark, conf, plan, todo, directories,
          shardNames, positional, allowNonFinite, keepGoing, progress));
      kept.values().forEach(runs -> results.add(new SweepGroupTask.Result(runs, Map.of(),
          new long[plan.inputs().size()])));
      Map<String, String> failures = new LinkedHashMap<>();
      List<List<SweepGroupTask.Written>> writtenPerOutput = new ArrayList<>();
      List<AssembleFunction.Shard> assemblies = new ArrayList<>();
      for (int o = 0; o < outputs.size(); o++) {
        List<SweepGroupTask.Written> written = new ArrayList<>();
        for (SweepGroupTask.Result result : results) {
          written.addAll(result.written().getOrDefault(o, List.of()));
        }
        writtenPerOutput.add(written);
        String failure = firstFailure(results, o);
        if (failure != null) {
          failures.put(outputs.get(o).name(), failure);
          outputs.get(o).directory().abort();
        } else if (!positional) {
          assemblies.addAll(AssembleFunction.shards(plan.outputs().get(o), outputs.get(o).directory(), written));
        }
      }
      assemble(spark, conf, assemblies);
      Map<String, List<ShardResult>> written = new LinkedHashMap<>();
      for (int o = 0; o < outputs.size(); o++) {
        Output output = outputs.get(o);
        if (failures.containsKey(output.name())) {
          continue;
        }
        List<WrittenRange> ranges = new ArrayList<>(headers.get(o));
        writtenPerOutput.get(o).forEach(run -> ranges.add(run.range()));
        MergePlan outputPlan = plan.outputs().get(o);
        List<ShardResult> shards = ShardAssembler.assemble(outputPlan, output.directory(), ranges);
        output.directory().fileSystem().delete(new Path(output.directory().writeDirectory(), SweepGroupTask.PARTS),
            true);
        MergeJob.finish(conf, outputPlan, output.directory(), output.modelFiles(), output.chatTemplate(),
            output.provenance(), shards);
        output.directory().publish();
        written.put(output.name(), shards);
      }
      return new Outcome(written, failures, MergeJob.bytesReadPerInput(plan.inputs(),
          results.stream().map(SweepGroupTask.Result::bytesRead).toList()), todo.size(), kept.size(),
          System.nanoTime() - start);
    } catch (Throwable e) {
      // Spark's own failures are checked exceptions that Scala throws undeclared: catch everything.
      if (Resumption.worthKeeping(e)) {
        progress.println("kept what was finished under " + directories + ": rerun with --resume to reuse it");
      } else {
        for (Output output : outputs) {
          output.directory().abort();
        }
      }
      throw e;
    }
  }

  /** Groups an earlier run recorded in every output they write to, whose bytes still check out, by fingerprint. */
  private static Map<String, Map<Integer, List<SweepGroupTask.Written>>> keptGroups(JavaSparkContext spark,
      Configuration conf, List<Output> outputs, List<List<String>> shardNames, List<SweepGroupTask.Work> work)
      throws IOException {
    List<Map<String, List<SweepGroupTask.Written>>> records = new ArrayList<>();
    for (Output output : outputs) {
      records.add(SegmentRecords.readGroups(output.directory().fileSystem(), output.directory().writeDirectory()));
    }
    Map<String, Map<Integer, List<SweepGroupTask.Written>>> recorded = new LinkedHashMap<>();
    List<Resumption.Candidate> candidates = new ArrayList<>();
    for (SweepGroupTask.Work group : work) {
      Map<Integer, List<SweepGroupTask.Written>> runs = new LinkedHashMap<>();
      List<Resumption.Check> checks = new ArrayList<>();
      for (int output : group.group().chunks().stream().map(PlacedChunk::output).distinct().toList()) {
        List<SweepGroupTask.Written> ofOutput = records.get(output).get(group.fingerprint());
        if (ofOutput == null) {
          runs = null;
          break;
        }
        runs.put(output, ofOutput);
        for (SweepGroupTask.Written run : ofOutput) {
          String file = run.partFile() != null ? run.partFile()
              : new Path(outputs.get(output).directory().writeDirectory(),
                  shardNames.get(output).get(run.range().shard())).toString();
          long offset = run.partFile() != null ? 0 : run.range().offset();
          checks.add(new Resumption.Check(file, offset, run.range().bytes(), run.range().crc32c()));
        }
      }
      if (runs != null) {
        recorded.put(group.fingerprint(), runs);
        candidates.add(new Resumption.Candidate(group.fingerprint(), checks));
      }
    }
    recorded.keySet().retainAll(Resumption.verified(spark, conf, candidates));
    return recorded;
  }

  private static String firstFailure(List<SweepGroupTask.Result> results, int output) {
    return results.stream().map(result -> result.failures().get(output)).filter(f -> f != null).findFirst()
        .orElse(null);
  }

  private static List<WrittenRange> headerRanges(MergePlan plan) {
    List<WrittenRange> headers = new ArrayList<>();
    for (ShardPlan shard : plan.shards()) {
      CRC32C crc = new CRC32C();
      crc.update(shard.header());
      headers.add(new WrittenRange(shard.index(), 0, shard.header().length, (int) crc.getValue()));
    }
    return headers;
  }

  /** Creates each shard file with its header, so tasks only write tensor bytes at their positions. */
  private static List<WrittenRange> writeHeaders(MergePlan plan, OutputDirectory output) throws IOException {
    for (ShardPlan shard : plan.shards()) {
      Path file = new Path(output.writeDirectory(), shard.fileName());
      try (FileChannel channel = FileChannel.open(java.nio.file.Path.of(URI.create(file.toString())),
          StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        ByteBuffer header = ByteBuffer.wrap(shard.header());
        while (header.hasRemaining()) {
          channel.write(header, header.position());
        }
      }
    }
    return headerRanges(plan);
  }

  private static void assemble(JavaSparkContext spark, Configuration conf, List<AssembleFunction.Shard> shards) {
    if (shards.isEmpty()) {
      return;
    }
    ItemJob.map(spark, conf, "sweep: assemble " + shards.size() + " shards", shards, shards.size(),
        AssembleFunction::new);
  }

  private static List<SweepGroupTask.Result> compute(JavaSparkContext spark, Configuration conf, SweepPlan plan,
      List<SweepGroupTask.Work> work, List<String> directories, List<List<String>> shardNames, boolean positional,
      boolean allowNonFinite, boolean keepGoing, PrintWriter progress) {
    long totalBytes = work.stream().flatMap(w -> w.group().chunks().stream())
        .mapToLong(placed -> placed.chunk().outBytes()).sum();
    return WritingStage.run(spark, conf, "sweep: " + directories.size() + " outputs in " + work.size() + " groups",
        work, totalBytes, progress, (taskConf, bytesWritten) -> new SweepGroupTask(plan.inputs(), taskConf,
            directories, shardNames, positional, allowNonFinite, keepGoing, bytesWritten));
  }
}
