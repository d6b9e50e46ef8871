package io.chatvector.spark;

import io.chatvector.io.OutputDirectory;
import io.chatvector.io.ShardParts;
import io.chatvector.plan.Segment;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;

/**
 * Driver side of writing shards in parts: an upload per shard started before the tasks; each shard's parts joined,
 * in order, as soon as its last part is written, and the shard recorded as finished (so a failed job keeps the
 * shards it completed, for --resume); when the job fails, the uploads not completed dropped. Store calls run a few
 * at a time, off Spark's scheduler thread (on an object store each is a round trip; a model has up to a few hundred
 * shards).
 */
final class ShardUploads implements AutoCloseable, ItemJob.ResultListener<SegmentResult> {
  private static final int CONCURRENT_CALLS = 8;

  private final ShardParts parts;
  private final FileSystem fs;
  private final Path directory;
  private final List<Segment> segments;
  private final Map<Integer, List<Integer>> segmentsOfShard = new HashMap<>();
  private final Map<Integer, byte[]> started = new ConcurrentHashMap<>();
  private final Map<Integer, SegmentResult> written = new HashMap<>();
  private final List<Future<?>> completions = new ArrayList<>();
  private final ExecutorService calls = Executors.newFixedThreadPool(CONCURRENT_CALLS, work -> {
    Thread thread = new Thread(work, "chatvector-shard-uploads");
    thread.setDaemon(true);
    return thread;
  });

  private ShardUploads(ShardParts parts, OutputDirectory output, List<Segment> segments) {
    this.parts = parts;
    this.fs = output.fileSystem();
    this.directory = output.writeDirectory();
    this.segments = segments;
    for (int s = 0; s < segments.size(); s++) {
      segmentsOfShard.computeIfAbsent(segments.get(s).shard(), shard -> new ArrayList<>()).add(s);
    }
  }

  /** Starts an upload for each shard that {@code segments} (in shard and segment order) write. */
  static ShardUploads start(ShardParts parts, OutputDirectory output, List<Segment> segments) throws IOException {
    ShardUploads uploads = new ShardUploads(parts, output, segments);
    try {
      List<Future<?>> starts = new ArrayList<>();
      for (int shard : uploads.segmentsOfShard.keySet()) {
        starts.add(uploads.call(() -> uploads.started.put(shard, parts.start(uploads.fs, uploads.path(shard)))));
      }
      await(starts);
      return uploads;
    } catch (IOException | RuntimeException e) {
      uploads.abortUnfinished();
      uploads.close();
      throw e;
    }
  }

  /** Each shard's upload handle, for the tasks. */
  Map<Integer, byte[]> handles() {
    return Map.copyOf(started);
  }

  @Override
  public synchronized void succeeded(int segment, SegmentResult result) {
    written.put(segment, result);
    int shard = segments.get(segment).shard();
    List<Integer> ofShard = segmentsOfShard.get(shard);
    if (ofShard.stream().allMatch(written::containsKey)) {
      List<SegmentResult> results = ofShard.stream().map(written::get).toList();
      completions.add(call(() -> complete(shard, ofShard, results)));
    }
  }

  /** Waits until every shard is joined; throws the first failure to. */
  void awaitCompleted() throws IOException {
    await(completionsSoFar());
    if (!started.isEmpty()) {
      throw new IOException(directory + ": shards " + started.keySet() + " were not completed");
    }
  }

  /** Drops the uploads not completed; a failure to is only reported, as the job's own failure matters more. */
  void abortUnfinished() {
    try {
      try {
        await(completionsSoFar());
      } catch (IOException | RuntimeException completionFailed) {
        // Its upload is still started, and is dropped below.
      }
      List<Future<?>> aborts = new ArrayList<>();
      for (int shard : List.copyOf(started.keySet())) {
        aborts.add(call(() -> parts.abort(fs, started.remove(shard), path(shard))));
      }
      await(aborts);
    } catch (IOException | RuntimeException e) {
      System.err.println("warning: " + directory + ": could not drop unfinished uploads: " + e.getMessage());
    }
  }

  private synchronized List<Future<?>> completionsSoFar() {
    return List.copyOf(completions);
  }

  @Override
  public void close() {
    calls.shutdownNow();
  }

  private void complete(int shard, List<Integer> ofShard, List<SegmentResult> results) throws IOException {
    parts.complete(fs, started.get(shard), path(shard), results.stream().map(SegmentResult::part).toList());
    started.remove(shard);
    SegmentRecords.recordShard(fs, directory, segments.get(ofShard.get(0)).fileName(),
        ofShard.stream().map(segments::get).toList(), results.stream().map(SegmentResult::range).toList());
  }

  private Path path(int shard) {
    return new Path(directory, segments.get(segmentsOfShard.get(shard).get(0)).fileName());
  }

  private interface StoreCall {
    void run() throws IOException;
  }

  private Future<?> call(StoreCall call) {
    return calls.submit(() -> {
      try {
        call.run();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void await(List<Future<?>> futures) throws IOException {
    try {
      for (Future<?> future : futures) {
        future.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for the store");
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UncheckedIOException io) {
        throw io.getCause();
      }
      if (e.getCause() instanceof RuntimeException runtime) {
        throw runtime;
      }
      throw new IOException(e.getCause());
    }
  }
}
