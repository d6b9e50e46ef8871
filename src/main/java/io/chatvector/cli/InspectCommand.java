package io.chatvector.cli;

import io.chatvector.Sizes;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import java.io.PrintWriter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Validate a checkpoint's index and headers and print its tensors, shards and totals.")
final class InspectCommand implements Callable<Integer> {
  @Parameters(paramLabel = "PATH", description = "A checkpoint directory (local path or URI).")
  String path;

  @Mixin
  SparkOptions spark;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() {
    Checkpoint checkpoint = Checkpoint.open(path, spark.hadoopConf("inspect"));
    PrintWriter out = spec.commandLine().getOut();
    int nameWidth = Math.max(6, checkpoint.tensors().stream().mapToInt(t -> t.name().length()).max().orElse(0));
    String row = "%-" + nameWidth + "s  %-6s  %-20s  %12s  %s%n";
    out.printf("checkpoint %s%n", checkpoint.directory());
    out.printf(row, "tensor", "dtype", "shape", "bytes", "shard");
    Map<String, long[]> shards = new TreeMap<>();
    Map<DType, Integer> dtypes = new TreeMap<>();
    long parameters = 0;
    for (CheckpointTensor tensor : checkpoint.tensors()) {
      String shard = new Path(tensor.file()).getName();
      out.printf(row, tensor.name(), tensor.info().dtype(), tensor.info().shapeString(), tensor.info().byteLength(),
          shard);
      long[] totals = shards.computeIfAbsent(shard, s -> new long[2]);
      totals[0]++;
      totals[1] += tensor.info().byteLength();
      dtypes.merge(tensor.info().dtype(), 1, Integer::sum);
      parameters += tensor.info().elements();
    }
    out.println("shards:");
    checkpoint.files().forEach((file, version) -> {
      long[] totals = shards.getOrDefault(new Path(file).getName(), new long[2]);
      out.printf("  %s  %d tensors, %s of tensors, %d bytes on storage%n", new Path(file).getName(), totals[0],
          Sizes.format(totals[1]), version.length());
    });
    out.printf("totals: %d tensors, %,d parameters, %s, dtypes %s%n", checkpoint.tensors().size(), parameters,
        Sizes.format(checkpoint.totalBytes()), dtypes);
    if (!checkpoint.metadata().isEmpty()) {
      out.printf("metadata: %s%n", checkpoint.metadata());
    }
    out.flush();
    return 0;
  }
}
