package io.chatvector.spark;

import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.io.FileVersion;
import io.chatvector.io.Storage;
import io.chatvector.merge.ChunkArithmetic;
import io.chatvector.merge.Operand;
import io.chatvector.merge.Term;
import io.chatvector.plan.BufferSizes;
import io.chatvector.plan.Chunk;
import io.chatvector.plan.InputFile;
import io.chatvector.plan.Source;
import io.chatvector.plan.SourceTerm;
import java.io.Closeable;
import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
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
 * files (opened once, for random reads, after checking they are the files that were planned).
 *
 * <p>Two ways, the same bytes. Streaming, for local files: a chunk goes piece by piece through small pooled direct
 * buffers, so reads are single copies from the page cache and a piece of every operand stays in the core's cache
 * while it is computed (measured here: reads twice as fast as whole chunks into heap arrays). Whole chunks, for
 * remote stores (large requests) and sweeps (a vector chunk read once serves every output in a row): heap buffers
 * as large as the task's largest chunk. Either way memory is bounded by the chunk size, whatever the model.
 */
final class ChunkProducer implements Closeable {
  /** Receives a chunk's output in order, a piece at a time; the buffer is only valid during the call. */
  interface PieceSink {
    void accept(ByteBuffer piece) throws IOException;
  }

  private final List<InputFile> inputs;
  private final Configuration conf;
  private final boolean allowNonFinite;
  private final boolean streaming;
  private final OperandBuffers buffers;
  private final ChunkArithmetic arithmetic;
  private final Map<Integer, RangeReader> readers = new HashMap<>();
  /** What each buffer holds: a sweep asks for the same vector chunk once per output, in a row. */
  private final Map<ByteBuffer, Source> loaded = new IdentityHashMap<>();
  private final long[] bytesRead;

  private ChunkProducer(List<InputFile> inputs, Configuration conf, boolean allowNonFinite, boolean streaming,
      OperandBuffers buffers) {
    this.inputs = inputs;
    this.conf = conf;
    this.allowNonFinite = allowNonFinite;
    this.streaming = streaming;
    this.buffers = buffers;
    this.arithmetic = new ChunkArithmetic(allowNonFinite);
    this.bytesRead = new long[inputs.size()];
  }

  /** Streams chunks piece by piece when every input is a local file, else holds whole chunks. */
  static ChunkProducer forMerge(List<InputFile> inputs, Configuration conf, boolean allowNonFinite,
      List<Chunk> chunks) {
    return InputFile.allLocal(inputs)
        ? new ChunkProducer(inputs, conf, allowNonFinite, true, OperandBuffers.forPieces())
        : forWholeChunks(inputs, conf, allowNonFinite, chunks);
  }

  static ChunkProducer forWholeChunks(List<InputFile> inputs, Configuration conf, boolean allowNonFinite,
      List<Chunk> chunks) {
    return new ChunkProducer(inputs, conf, allowNonFinite, false, OperandBuffers.forChunks(chunks));
  }

  /** Hands the chunk's output bytes to {@code sink}, in order: one piece (empty for an empty chunk), or several. */
  void produce(Chunk chunk, PieceSink sink) throws IOException {
    if (chunk.rawCopy()) {
      copy(chunk, sink);
      return;
    }
    int piece = streaming ? BufferSizes.PIECE_ELEMENTS : chunk.elements();
    int first = 0;
    do {
      sink.accept(compute(chunk, first, Math.min(piece, chunk.elements() - first)));
      first += piece;
    } while (first < chunk.elements());
  }

  long[] bytesRead() {
    return bytesRead;
  }

  private void copy(Chunk chunk, PieceSink sink) throws IOException {
    Source whole = chunk.start();
    int piece = streaming ? BufferSizes.PIECE_BYTES : whole.bytes();
    int first = 0;
    do {
      Source part = slice(whole, first, Math.min(piece, whole.bytes() - first));
      ByteBuffer bytes = read(part, buffers.start());
      if (!allowNonFinite && whole.dtype().isMergeable()) {
        checkFinite(chunk, first / (whole.dtype().bits() / 8), part, bytes);
      }
      sink.accept(bytes);
      first += piece;
    } while (first < whole.bytes());
  }

  private ByteBuffer compute(Chunk chunk, int first, int elements) throws IOException {
    Operand start = chunk.start() == null ? null : operand(chunk.start(), first, elements, buffers.start());
    List<Term> terms = new ArrayList<>(chunk.terms().size());
    for (int t = 0; t < chunk.terms().size(); t++) {
      SourceTerm term = chunk.terms().get(t);
      Operand plus = operand(term.plus(), first, elements, buffers.plus(t));
      Operand minus = term.minus() == null ? null : operand(term.minus(), first, elements, buffers.minus(t));
      terms.add(new Term(term.weight(), plus, minus));
    }
    ByteBuffer out = buffers.out().limit(elements * (chunk.outType().bits() / 8));
    arithmetic.compute(new ChunkArithmetic.ChunkPosition(chunk.tensor(), chunk.shape(), chunk.firstElement() + first),
        elements, start, terms, chunk.outType(), out);
    return out;
  }

  private Operand operand(Source source, int first, int elements, ByteBuffer buffer) throws IOException {
    int width = source.dtype().bits() / 8;
    return new Operand(inputs.get(source.file()).path(), source.dtype(),
        read(slice(source, first * width, elements * width), buffer));
  }

  private static Source slice(Source source, int offset, int bytes) {
    return offset == 0 && bytes == source.bytes()
        ? source : new Source(source.file(), source.position() + offset, bytes, source.dtype());
  }

  /** The source's bytes from index 0 of {@code buffer}, read unless it holds them already. */
  private ByteBuffer read(Source source, ByteBuffer buffer) throws IOException {
    buffer.limit(source.bytes());
    if (source.equals(loaded.get(buffer))) {
      return buffer;
    }
    loaded.remove(buffer);
    try {
      reader(source.file()).readFully(source.position(), buffer);
    } catch (EOFException e) {
      throw new InvalidInputException(inputs.get(source.file()).path() + ": truncated: cannot read " + source.bytes()
          + " bytes at " + source.position());
    }
    bytesRead[source.file()] += source.bytes();
    loaded.put(buffer, source);
    return buffer.flip();
  }

  /** Reads {@code target.remaining()} bytes at {@code position} into {@code target}. */
  private interface RangeReader extends Closeable {
    void readFully(long position, ByteBuffer target) throws IOException;
  }

  private RangeReader reader(int index) throws IOException {
    RangeReader open = readers.get(index);
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
    RangeReader reader = file.isLocal() ? localReader(path) : storeReader(fs, path, status);
    readers.put(index, reader);
    return reader;
  }

  /** A file channel: positional reads into direct buffers are single copies from the page cache. */
  private static RangeReader localReader(Path path) throws IOException {
    FileChannel channel = FileChannel.open(java.nio.file.Path.of(URI.create(path.toUri().toString())));
    return new RangeReader() {
      @Override
      public void readFully(long position, ByteBuffer target) throws IOException {
        long at = position;
        while (target.hasRemaining()) {
          int read = channel.read(target, at);
          if (read < 0) {
            throw new EOFException();
          }
          at += read;
        }
      }

      @Override
      public void close() throws IOException {
        channel.close();
      }
    };
  }

  /** A store's stream opened for random reads; whole-chunk buffers are heap arrays. */
  private static RangeReader storeReader(FileSystem fs, Path path, FileStatus status) throws IOException {
    FSDataInputStream stream = FutureIO.awaitFuture(fs.openFile(path)
        .withFileStatus(status)
        .opt("fs.option.openfile.read.policy", "random")
        .build());
    return new RangeReader() {
      @Override
      public void readFully(long position, ByteBuffer target) throws IOException {
        stream.readFully(position, target.array(), target.arrayOffset() + target.position(), target.remaining());
        target.position(target.limit());
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
  }

  @Override
  public void close() throws IOException {
    buffers.close();
    for (RangeReader reader : readers.values()) {
      reader.close();
    }
    readers.clear();
  }

  private void checkFinite(Chunk chunk, int firstElement, Source part, ByteBuffer bytes) {
    DType dtype = part.dtype();
    int width = dtype.bits() / 8;
    ByteBuffer little = bytes.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    for (int offset = 0; offset < part.bytes(); offset += width) {
      int raw = width == 2 ? little.getShort(offset) & 0xFFFF : little.getInt(offset);
      if (Floats.isNonFinite(dtype, raw)) {
        ChunkArithmetic.ChunkPosition position =
            new ChunkArithmetic.ChunkPosition(chunk.tensor(), chunk.shape(), chunk.firstElement());
        throw new InvalidInputException(inputs.get(part.file()).path() + ": "
            + position.describe(firstElement + offset / width) + " is not finite (use --allow-nonfinite to copy it)");
      }
    }
  }
}
