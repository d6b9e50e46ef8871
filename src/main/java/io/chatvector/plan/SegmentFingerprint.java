package io.chatvector.plan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of everything that decides the bytes a task writes: where they go, headers, and for each chunk the input
 * files (with the versions planned), byte ranges, weights and types. Work that an earlier run recorded under the
 * same fingerprint (with bytes that still match their checksums) can be kept by a resumed run.
 */
public final class SegmentFingerprint {
  private SegmentFingerprint() {
  }

  /** A segment's: {@code bytes} at {@code offset} of shard {@code fileName}, its header if first, its chunks. */
  public static String of(String fileName, long offset, long bytes, byte[] header, List<Chunk> chunks,
      List<InputFile> inputs) {
    MessageDigest digest = sha256();
    text(digest, fileName);
    number(digest, offset);
    number(digest, bytes);
    if (header != null) {
      digest.update(header);
    }
    for (Chunk chunk : chunks) {
      chunk(digest, chunk, inputs);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** A sweep group's fingerprint: its chunks and, for each, the output and shard file it goes to. */
  public static String of(SweepPlan.Group group, List<InputFile> inputs, List<String> outputs,
      List<List<String>> shardNames) {
    MessageDigest digest = sha256();
    for (PlacedChunk placed : group.chunks()) {
      text(digest, outputs.get(placed.output()));
      text(digest, shardNames.get(placed.output()).get(placed.shard()));
      number(digest, placed.position());
      chunk(digest, placed.chunk(), inputs);
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void chunk(MessageDigest digest, Chunk chunk, List<InputFile> inputs) {
    text(digest, chunk.tensor());
    number(digest, chunk.firstElement());
    number(digest, chunk.elements());
    text(digest, chunk.outType().name());
    number(digest, chunk.outOffset());
    number(digest, chunk.outBytes());
    number(digest, chunk.rawCopy() ? 1 : 0);
    source(digest, chunk.start(), inputs);
    for (SourceTerm term : chunk.terms()) {
      number(digest, Float.floatToIntBits(term.weight()));
      source(digest, term.plus(), inputs);
      source(digest, term.minus(), inputs);
    }
  }

  private static void source(MessageDigest digest, Source source, List<InputFile> inputs) {
    if (source == null) {
      number(digest, -1);
      return;
    }
    InputFile file = inputs.get(source.file());
    text(digest, file.path());
    number(digest, file.plannedVersion().length());
    number(digest, file.plannedVersion().modificationTime());
    number(digest, source.position());
    number(digest, source.bytes());
    text(digest, source.dtype().name());
  }

  private static void text(MessageDigest digest, String text) {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    number(digest, bytes.length);
    digest.update(bytes);
  }

  private static void number(MessageDigest digest, long value) {
    digest.update(ByteBuffer.allocate(8).putLong(value).array());
  }
}
