package io.chatvector.cli;

import io.chatvector.Sizes;
import io.chatvector.format.DType;
import io.chatvector.io.Checkpoint;
import io.chatvector.merge.KernelBenchmark;
import io.chatvector.synth.FamilyGenerator;
import io.chatvector.synth.LlamaShape;
import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.hadoop.conf.Configuration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
    description = {"Measure a job against the I/O floor, in the same run.",
        "Generates (or reuses) a Llama-shaped family, times reading its inputs and writing an output-sized file, "
            + "then the job end to end in a JVM of its own (start-up included), and prints times, their ratio, "
            + "throughput, peak memory, records and shards. A benchmark: it prints, it asserts nothing."})
final class BenchCommand implements Callable<Integer> {
  /** A model of a few hundred kilobytes: a job on it costs what a job costs whatever the model's size. */
  private static final LlamaShape TINY = new LlamaShape(2, 64, 172, 256, 1, 1);

  @Option(names = "--params", defaultValue = "1B", paramLabel = "SIZE",
      description = "Model shape: 1B, 3B, 7B, 8B, 70B or 405B (default: ${DEFAULT-VALUE}).")
  String params;

  @Option(names = "--dtype", defaultValue = "BF16", converter = Converters.OutputType.class,
      description = "F32, BF16 or F16 (default: ${DEFAULT-VALUE}).")
  DType dtype;

  @Option(names = "--form", defaultValue = "fused", paramLabel = "fused|vector|extract",
      description = "The job: fused merge, merge of an extracted vector, or extraction (default: ${DEFAULT-VALUE}).")
  String form;

  @Option(names = "--dir", defaultValue = "target/chatvector-bench", paramLabel = "DIR",
      description = "Where families are generated and kept between runs (default: ${DEFAULT-VALUE}).")
  String dir;

  @Option(names = "--keep", description = "Keep the generated family for later runs (default: remove it).")
  boolean keep;

  @Option(names = "--heap", paramLabel = "SIZE", description = "-Xmx of the job's JVM (default: the JVM's own).")
  String heap;

  @Option(names = "--kernel", description = "Only measure the merge arithmetic per core, per dtype.")
  boolean kernel;

  @Option(names = "--runs", defaultValue = "3", paramLabel = "N",
      description = "Measure floor and job N times each, alternately, and report the medians (default: ${DEFAULT-VALUE}).")
  int runs;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (kernel) {
      KernelBenchmark.run(out);
      return 0;
    }
    if (!List.of("fused", "vector", "extract").contains(form)) {
      throw new picocli.CommandLine.ParameterException(spec.commandLine(), "--form is fused, vector or extract");
    }
    LlamaShape shape = LlamaShape.named(params);
    Path root = Path.of(dir).toAbsolutePath();
    Path family = root.resolve(params + "-" + dtype);
    boolean generated = prepare(out, root, family, shape);
    Path tinyFamily = root.resolve("tiny-" + dtype);
    boolean tinyGenerated = prepare(out, root, tinyFamily, TINY);
    Path output = root.resolve("out");
    List<Path> inputs = inputs(family);
    long inputBytes = 0;
    for (Path input : inputs) {
      inputBytes += shardBytes(input);
    }
    long outputBytes = shardBytes(inputs.get(0));
    // Written data still waiting for the disk would be flushed during a measurement and slow it down.
    for (Path input : inputs) {
      flushToDisk(input);
    }
    // A first run, not measured, as users' later runs find things: inputs in the page cache (when they fit) and the
    // launcher's start-up archive recorded.
    runJob(root, args(family, output));
    discard(output);
    List<Long> floors = new ArrayList<>();
    List<Job> jobs = new ArrayList<>();
    List<Long> startUps = new ArrayList<>();
    for (int run = 0; run < Math.max(1, runs); run++) {
      floors.add(ioFloor(inputs, outputBytes, root.resolve("floor.tmp")));
      jobs.add(runJob(root, args(family, output)));
      discard(output);
      startUps.add(runJob(root, args(tinyFamily, output)).nanos());
      discard(output);
    }
    report(out, shape, inputBytes, outputBytes, floors, jobs, startUps);
    if (generated && !keep) {
      deleteTree(family);
    }
    if (tinyGenerated && !keep) {
      deleteTree(tinyFamily);
    }
    return 0;
  }

  /** Generates the family unless it is there, and the vector that the vector form merges; true if it generated. */
  private boolean prepare(PrintWriter out, Path root, Path family, LlamaShape shape)
      throws IOException, InterruptedException {
    boolean generate = !Files.exists(family.resolve("cp/config.json"));
    if (generate) {
      out.printf("generating a %,d-parameter %s family in %s ...%n", shape.parameters(0), dtype, family);
      out.flush();
      new FamilyGenerator(shape, dtype, 0, 1, 5_000_000_000L).writeFamily(family.toString(), new Configuration());
    }
    Path vector = family.resolve("vector");
    if (form.equals("vector") && !Files.exists(vector.resolve("model.safetensors.index.json"))) {
      Job extraction = job(root, List.of("extract", "--base", family.resolve("base").toString(), "--chat",
          family.resolve("chat").toString(), "--out", vector.toString(), "--overwrite"));
      if (extraction.code() != 0) {
        throw new IllegalStateException("Cannot prepare the vector: " + extraction.output());
      }
    }
    return generate;
  }

  private List<String> args(Path family, Path output) {
    return switch (form) {
      case "vector" -> List.of("merge", "--cp", family.resolve("cp").toString(), "--vector",
          family.resolve("vector").toString(), "--out", output.toString(), "--overwrite");
      case "extract" -> List.of("extract", "--base", family.resolve("base").toString(), "--chat",
          family.resolve("chat").toString(), "--out", output.toString(), "--overwrite");
      default -> List.of("merge", "--cp", family.resolve("cp").toString(), "--base", family.resolve("base").toString(),
          "--chat", family.resolve("chat").toString(), "--out", output.toString(), "--overwrite");
    };
  }

  private List<Path> inputs(Path family) {
    return switch (form) {
      case "vector" -> List.of(family.resolve("cp"), family.resolve("vector"));
      case "extract" -> List.of(family.resolve("base"), family.resolve("chat"));
      default -> List.of(family.resolve("cp"), family.resolve("base"), family.resolve("chat"));
    };
  }

  private void report(PrintWriter out, LlamaShape shape, long inputBytes, long outputBytes, List<Long> floorNanos,
      List<Job> jobs, List<Long> startUpNanos) {
    double floor = median(floorNanos) / 1e9;
    double seconds = median(jobs.stream().map(Job::nanos).toList()) / 1e9;
    out.printf("bench: %s %s, %s, %,d parameters per model, median of %d runs%n", params, dtype, switch (form) {
      case "vector" -> "merge of an extracted vector";
      case "extract" -> "extraction";
      default -> "fused merge";
    }, shape.parameters(0), jobs.size());
    out.printf("  data:        %s read, %s written%n", Sizes.format(inputBytes), Sizes.format(outputBytes));
    out.printf("  I/O floor:   %.2f s (read the inputs, write an output-sized file)%s%n", floor,
        runs(seconds(floorNanos)));
    out.printf("  job:         %.2f s end to end, JVM and Spark start included: %.2fx the floor%s%n", seconds,
        seconds / floor, runs(seconds(jobs.stream().map(Job::nanos).toList())));
    if (jobs.size() > 1) {
      // Each job runs right after its floor: on a shared machine whose speed drifts, the pair's ratio drifts less.
      List<Double> ratios = new ArrayList<>();
      for (int run = 0; run < jobs.size(); run++) {
        ratios.add(jobs.get(run).nanos() / (double) floorNanos.get(run));
      }
      out.printf("  paired:      %.2fx the floor, median of each run's job / floor%s%n", median(ratios), runs(ratios));
    }
    // What a job costs whatever the model's size (JVM, Spark, planning, commit) against what the data costs: the
    // ratio to the floor at one size does not tell how the job scales, these two do.
    double startUp = median(startUpNanos) / 1e9;
    out.printf("  start-up:    %.2f s, the same job on a %,d-parameter model%s%n", startUp, TINY.parameters(0),
        runs(seconds(startUpNanos)));
    out.printf("  data part:   %.2f s, job minus start-up: %.2fx the floor%n", seconds - startUp,
        (seconds - startUp) / floor);
    out.printf("  throughput:  %s/s in, %s/s out%n", Sizes.format((long) (inputBytes / seconds)),
        Sizes.format((long) (outputBytes / seconds)));
    out.printf("  peak memory: %s resident in the job's JVM (highest of the runs)%n",
        Sizes.format(jobs.stream().mapToLong(Job::peakResidentBytes).max().orElse(0)));
    out.printf("  records:     %s%n", jobs.get(0).records());
    out.flush();
  }

  private static <T extends Comparable<T>> T median(List<T> values) {
    List<T> sorted = values.stream().sorted().toList();
    return sorted.get(sorted.size() / 2);
  }

  private static List<Double> seconds(List<Long> nanos) {
    return nanos.stream().map(n -> n / 1e9).toList();
  }

  private static String runs(List<Double> values) {
    return values.size() < 2 ? "" : values.stream().map(v -> String.format("%.2f", v))
        .collect(Collectors.joining(", ", "; runs: ", ""));
  }

  /** Flushed, then deleted, as the floor's file is: no measurement starts with the last one's writes pending. */
  private static void discard(Path output) throws IOException {
    flushToDisk(output);
    deleteTree(output);
  }

  /** Makes the files under {@code directory} durable, so that no write-back of them overlaps a measurement. */
  private static void flushToDisk(Path directory) throws IOException {
    try (Stream<Path> files = Files.walk(directory)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
          channel.force(true);
        }
      }
    }
  }

  private static long shardBytes(Path checkpoint) {
    return Checkpoint.open(checkpoint.toString(), new Configuration()).files().values().stream()
        .mapToLong(version -> version.length()).sum();
  }

  /**
   * Reads every input shard once and writes a file of the output's size, in large blocks, as a bare copy would. On a
   * VM whose host takes back the memory the guest frees (free page reporting), writing into pages freed more than a
   * second or two ago costs a page fault each, and the same write took 0.3 s or 2-4 s by how long ago the last output
   * was deleted. So the floor first writes and deletes a file of that size, untimed: its own write then reuses memory
   * the guest still holds, and the floor is the fast one, the stricter comparison for the job.
   */
  private static long ioFloor(List<Path> inputs, long outputBytes, Path scratch) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(8 << 20);
    write(scratch, outputBytes, buffer);
    Files.delete(scratch);
    long start = System.nanoTime();
    for (Path input : inputs) {
      for (String file : Checkpoint.open(input.toString(), new Configuration()).files().keySet()) {
        try (FileChannel channel = FileChannel.open(Path.of(java.net.URI.create(file)))) {
          while (channel.read(buffer.clear()) > 0) {
            // Only the reading counts.
          }
        }
      }
    }
    write(scratch, outputBytes, buffer);
    long nanos = System.nanoTime() - start;
    flushToDisk(scratch);
    Files.delete(scratch);
    return nanos;
  }

  private static void write(Path file, long bytes, ByteBuffer buffer) throws IOException {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
        StandardOpenOption.TRUNCATE_EXISTING)) {
      for (long written = 0; written < bytes; ) {
        buffer.clear().limit((int) Math.min(buffer.capacity(), bytes - written));
        written += channel.write(buffer);
      }
    }
  }

  record Job(int code, String output, long nanos, long peakResidentBytes, String records) {
  }

  private Job runJob(Path root, List<String> args) throws IOException, InterruptedException {
    Job job = job(root, args);
    if (job.code() != 0) {
      throw new IllegalStateException("The job failed: " + job.output());
    }
    return job;
  }

  /**
   * Runs the command line as users do: through the launcher that started this benchmark (which replaces itself with
   * the job's JVM, so the process sampled for memory is the job's), else in a JVM like this one. Samples its
   * resident memory.
   */
  private Job job(Path root, List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    ProcessBuilder builder = new ProcessBuilder(command);
    String launcher = System.getenv("CHATVECTOR_LAUNCHER");
    if (launcher != null) {
      command.add(launcher);
      if (heap != null) {
        builder.environment().merge("CHATVECTOR_JAVA_OPTS", "-Xmx" + heap, (own, added) -> own + " " + added);
      }
    } else {
      command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
          .filter(arg -> !arg.startsWith("-Xmx") && !arg.startsWith("-agentlib")
              && !arg.startsWith("-XX:StartFlight") && !arg.startsWith("-XX:ArchiveClassesAtExit"))
          .forEach(command::add);
      if (heap != null) {
        command.add("-Xmx" + heap);
      }
      command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
    }
    command.addAll(args);
    Files.createDirectories(root);
    File log = root.resolve("job.log").toFile();
    long start = System.nanoTime();
    Process process = builder.redirectErrorStream(true).redirectOutput(log).start();
    // Sampled on a thread of its own, so that the job's end is timed as it happens, not at the next sample.
    AtomicLong peak = new AtomicLong();
    Thread sampler = new Thread(() -> {
      while (process.isAlive()) {
        peak.accumulateAndGet(residentBytes(process.pid()), Math::max);
        try {
          Thread.sleep(20);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "chatvector-bench-memory");
    sampler.setDaemon(true);
    sampler.start();
    process.waitFor();
    long nanos = System.nanoTime() - start;
    sampler.join();
    String output = Files.readString(log.toPath());
    Matcher tasks = Pattern.compile("(\\d+ chunks in \\d+ tasks)").matcher(output);
    Matcher shards = Pattern.compile("written: (\\d+ shards?)").matcher(output);
    String records = (tasks.find() ? tasks.group(1) : "?") + ", " + (shards.find() ? shards.group(1) : "?");
    return new Job(process.exitValue(), output, nanos, peak.get(), records);
  }

  private static long residentBytes(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | RuntimeException exited) {
      // The process ended between two samples.
    }
    return 0;
  }

  private static void deleteTree(Path path) throws IOException {
    if (!Files.exists(path)) {
      return;
    }
    try (Stream<Path> files = Files.walk(path)) {
      for (Path file : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(file);
      }
    }
  }
}
