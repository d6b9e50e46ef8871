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
import io.chatvector.plan.Source;
import io.chatvector.plan.SourceTerm;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.util.functional.FutureIO;

/**
 * Executor side: produces the output bytes of chunks, reading each chunk's byte ranges straight from the input
 * files (opened once, for random reads, after checking they are the files that were planned). Holds one set of
 * chunk buffers, so memory is bounded by the chunk size.
 */
final class ChunkProducer implements Closeable {
  private final List<InputFile> inputs;
  private final Configuration conf;
  private final boolean allowNonFinite;
  private final ChunkBuffers buffers;
  private final ChunkArithmetic arithmetic;
  private final Map<Integer, FSDataInputStream> openInputs = new HashMap<>();
  /** What each buffer holds: a sweep asks for the same vector chunk once per output, in a row. */
  private final Map<byte[], Source> loaded = new java.util.IdentityHashMap<>();
  private final long[] bytesRead;

  ChunkProducer(List<InputFile> inputs, Configuration conf, boolean allowNonFinite, List<Chunk> chunks) {
    this.inputs = inputs;
    this.conf = conf;
    this.allowNonFinite = allowNonFinite;
    this.buffers = new ChunkBuffers(chunks);
    this.arithmetic = new ChunkArithmetic(allowNonFinite);
    this.bytesRead = new long[inputs.size()];
  }

  /** The chunk's output; valid for {@code chunk.outBytes()} bytes until the next call. */
  byte[] produce(Chunk chunk) throws IOException {
    return chunk.rawCopy() ? copy(chunk) : compute(chunk);
  }

  long[] bytesRead() {
    return bytesRead;
  }

  private byte[] copy(Chunk chunk) throws IOException {
    byte[] buffer = buffers.start();
    read(chunk.start(), buffer);
    if (!allowNonFinite && chunk.start().dtype().isMergeable()) {
      checkFinite(chunk, buffer);
    }
    return buffer;
  }

  private byte[] compute(Chunk chunk) throws IOException {
    Operand start = chunk.start() == null ? null : operand(chunk.start(), buffers.start());
    List<Term> terms = new ArrayList<>(chunk.terms().size());
    for (int t = 0; t < chunk.terms().size(); t++) {
      SourceTerm term = chunk.terms().get(t);
      Operand plus = operand(term.plus(), buffers.plus(t));
      Operand minus = term.minus() == null ? null : operand(term.minus(), buffers.minus(t));
      terms.add(new Term(term.weight(), plus, minus));
    }
    arithmetic.compute(new ChunkArithmetic.ChunkPosition(chunk.tensor(), chunk.shape(), chunk.firstElement()),
        chunk.elements(), start, terms, chunk.outType(), buffers.out());
    return buffers.out();
  }

  private Operand operand(Source source, byte[] buffer) throws IOException {
    read(source, buffer);
    return new Operand(inputs.get(source.file()).path(), source.dtype(), buffer);
  }

  private void read(Source source, byte[] buffer) throws IOException {
    if (source.equals(loaded.get(buffer))) {
      return;
    }
    loaded.remove(buffer);
    InputFile file = inputs.get(source.file());
    try {
      input(source.file()).readFully(source.position(), buffer, 0, source.bytes());
    } catch (EOFException e) {
      throw new InvalidInputException(file.path() + ": truncated: cannot read " + source.bytes() + " bytes at "
          + source.position());
    }
    bytesRead[source.file()] += source.bytes();
    loaded.put(buffer, source);
  }

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
    } catch (FileNotFoundException e) {
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

  @Override
  public void close() throws IOException {
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
