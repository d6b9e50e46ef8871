package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.format.Floats;
import io.chatvector.io.FileVersion;
import io.chatvector.io.Storage;
import io.chatvector.merge.ChunkArithmetic;
import io.chatvector.merge.Operand;
import io.chatvector.merge.Term;
import io.chatvector.plan.Chunk;
import io.chatvector.plan.ChunkBuffers;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.ShardPlan;
import io.chatvector.plan.Source;
import io.chatvector.plan.SourceTerm;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.zip.CRC32C;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * Executor-side work: writes one output shard, chunk by chunk, reading each chunk's byte ranges straight from
 * the input files. Holds one set of chunk buffers, so memory is bounded by the chunk size, not the shard size.
 *
 * <p>Where rename is atomic, writes to a file named after the task attempt and renames it into place when
 * complete, so retried or speculative attempts never clobber each other. On object stores an upload becomes
 * visible only when complete, so attempts write the final name directly; their bytes are identical.
 */
public final class ShardWriteTask {
  private final List<InputFile> inputs;
  private final Configuration conf;
  private final Path writeDirectory;
  private final boolean renameAttempts;
  private final boolean allowNonFinite;
  private final Map<Integer, FSDataInputStream> openInputs = new HashMap<>();

  public ShardWriteTask(List<InputFile> inputs, Configuration conf, Path writeDirectory, boolean renameAttempts,
      boolean allowNonFinite) {
    this.inputs = inputs;
    this.conf = conf;
    this.writeDirectory = writeDirectory;
    this.renameAttempts = renameAttempts;
    this.allowNonFinite = allowNonFinite;
  }

  public ShardResult write(ShardPlan shard, long attemptId, LongConsumer progress) throws IOException {
    Path target = new Path(writeDirectory, shard.fileName());
    Path attemptFile = renameAttempts
        ? new Path(writeDirectory, "." + shard.fileName() + ".attempt-" + attemptId)
        : target;
    FileSystem fs = Storage.fileSystem(target, conf);
    long[] bytesRead = new long[inputs.size()];
    CRC32C checksum = new CRC32C();
    boolean complete = false;
    try (OutputStream out = fs.create(attemptFile, true)) {
      write(out, checksum, shard.header(), shard.header().length);
      ChunkBuffers buffers = new ChunkBuffers(shard);
      ChunkArithmetic arithmetic = new ChunkArithmetic(allowNonFinite);
      for (Chunk chunk : shard.chunks()) {
        byte[] result = chunk.rawCopy()
            ? copy(chunk, buffers.start(), bytesRead)
            : compute(chunk, buffers, arithmetic, bytesRead);
        write(out, checksum, result, chunk.outBytes());
        progress.accept(chunk.outBytes());
      }
      complete = true;
    } finally {
      closeInputs();
      if (!complete) {
        fs.delete(attemptFile, false);
      }
    }
    long written = fs.getFileStatus(attemptFile).getLen();
    if (written != shard.fileLength()) {
      fs.delete(attemptFile, false);
      throw new IOException(target + ": wrote " + written + " bytes, planned " + shard.fileLength());
    }
    if (renameAttempts && !fs.rename(attemptFile, target)) {
      // Another attempt of this task got there first; its file has the same bytes.
      fs.delete(attemptFile, false);
    }
    return new ShardResult(shard.fileName(), written, String.format("%08x", checksum.getValue()), bytesRead);
  }

  private static void write(OutputStream out, CRC32C checksum, byte[] bytes, int length) throws IOException {
    out.write(bytes, 0, length);
    checksum.update(bytes, 0, length);
  }

  private byte[] copy(Chunk chunk, byte[] buffer, long[] bytesRead) throws IOException {
    read(chunk.start(), buffer, bytesRead);
    if (!allowNonFinite && chunk.start().dtype().isMergeable()) {
      checkFinite(chunk, buffer);
    }
    return buffer;
  }

  private byte[] compute(Chunk chunk, ChunkBuffers buffers, ChunkArithmetic arithmetic, long[] bytesRead)
      throws IOException {
    Operand start = chunk.start() == null ? null : operand(chunk.start(), buffers.start(), bytesRead);
    List<Term> terms = new ArrayList<>(chunk.terms().size());
    for (int t = 0; t < chunk.terms().size(); t++) {
      SourceTerm term = chunk.terms().get(t);
      Operand plus = operand(term.plus(), buffers.plus(t), bytesRead);
      Operand minus = term.minus() == null ? null : operand(term.minus(), buffers.minus(t), bytesRead);
      terms.add(new Term(term.weight(), plus, minus));
    }
    arithmetic.compute(new ChunkArithmetic.ChunkPosition(chunk.tensor(), chunk.shape(), chunk.firstElement()),
        chunk.elements(), start, terms, chunk.outType(), buffers.out());
    return buffers.out();
  }

  private Operand operand(Source source, byte[] buffer, long[] bytesRead) throws IOException {
    read(source, buffer, bytesRead);
    return new Operand(inputs.get(source.file()).path(), source.dtype(), buffer);
  }

  private void read(Source source, byte[] buffer, long[] bytesRead) throws IOException {
    InputFile file = inputs.get(source.file());
    try {
      input(source.file()).readFully(source.position(), buffer, 0, source.bytes());
    } catch (EOFException e) {
      throw new InvalidInputException(file.path() + ": truncated: cannot read " + source.bytes() + " bytes at "
          + source.position());
    }
    bytesRead[source.file()] += source.bytes();
  }

  /** Opens an input once per task, for random reads, after checking it is the file that was planned. */
  private FSDataInputStream input(int index) throws IOException {
    FSDataInputStream open = openInputs.get(index);
    if (open != null) {
      return open;
    }
    InputFile file = inputs.get(index);
    Path path = new Path(file.path());
    FileSystem fs = Storage.fileSystem(path, conf);
    FileStatus status;
    try {
      status = fs.getFileStatus(path);
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(file.path() + ": input file disappeared after planning");
    }
    if (!FileVersion.of(status).equals(file.plannedVersion())) {
      throw new InvalidInputException(file.path() + ": input file changed after planning (now " + status.getLen()
          + " bytes, modified " + status.getModificationTime() + "; planned with " + file.plannedVersion().length()
          + " bytes, modified " + file.plannedVersion().modificationTime() + ")");
    }
    FSDataInputStream stream = FutureIO.awaitFuture(fs.openFile(path)
        .withFileStatus(status)
        .opt("fs.option.openfile.read.policy", "random")
        .build());
    openInputs.put(index, stream);
    return stream;
  }

  private void closeInputs() throws IOException {
    for (FSDataInputStream stream : openInputs.values()) {
      stream.close();
    }
    openInputs.clear();
  }

  private void checkFinite(Chunk chunk, byte[] bytes) {
    int width = chunk.start().dtype().bits() / 8;
    for (int offset = 0; offset < chunk.start().bytes(); offset += width) {
      int raw = width == 2
          ? (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8
          : (bytes[offset] & 0xFF) | (bytes[offset + 1] & 0xFF) << 8 | (bytes[offset + 2] & 0xFF) << 16
              | (bytes[offset + 3] & 0xFF) << 24;
      if (Floats.isNonFinite(chunk.start().dtype(), raw)) {
        ChunkArithmetic.ChunkPosition position =
            new ChunkArithmetic.ChunkPosition(chunk.tensor(), chunk.shape(), chunk.firstElement());
        throw new InvalidInputException(inputs.get(chunk.start().file()).path() + ": "
            + position.describe(offset / width) + " is not finite (use --allow-nonfinite to copy it)");
      }
    }
  }
}
