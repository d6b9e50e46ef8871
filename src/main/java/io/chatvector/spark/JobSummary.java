package io.chatvector.spark;

import io.chatvector.Sizes;
import io.chatvector.plan.MergePlan;
import io.chatvector.plan.TensorAction;
import java.io.PrintWriter;
import java.util.List;
import java.util.Map;

/** What a finished job did, as printed at the end: tensors by action, shards, bytes read per input, speed. */
public record JobSummary(String command, String output, MergePlan plan, List<ShardResult> shards,
    Map<String, Long> bytesReadPerInput, int tasks, int reusedSegments, long nanos) {

  public long bytesWritten() {
    return shards.stream().mapToLong(ShardResult::bytes).sum();
  }

  public void print(PrintWriter out) {
    double seconds = nanos / 1e9;
    out.printf("%s complete: %s%n", command, output);
    out.println("  tensors:");
    for (Map.Entry<TensorAction, Integer> action : plan.actions().entrySet()) {
      out.printf("    %6d %s%n", action.getValue(), action.getKey().description());
    }
    out.printf("  written: %d shard%s, %s%n", shards.size(), shards.size() == 1 ? "" : "s",
        Sizes.format(bytesWritten()));
    for (Map.Entry<String, Long> input : bytesReadPerInput.entrySet()) {
      out.printf("  read:    %s from %s%n", Sizes.format(input.getValue()), input.getKey());
    }
    out.printf("  time:    %.1f s, %s/s written, %d chunks in %d tasks%n", seconds,
        Sizes.format((long) (bytesWritten() / Math.max(seconds, 1e-3))), plan.chunkCount(), tasks);
    if (reusedSegments > 0) {
      out.printf("  resumed: %d segments kept from the earlier run, checked against their checksums%n", reusedSegments);
    }
    out.flush();
  }
}
