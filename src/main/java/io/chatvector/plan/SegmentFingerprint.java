package io.chatvector.plan;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * A digest of everything that decides a segment's bytes: its place in its shard, its header, and for each chunk
 * the input files (with the versions planned), byte ranges, weights and types. A segment written by an earlier run
 * with the same fingerprint (and bytes that still match its checksum) can be kept by a resumed run.
 */
public final class SegmentFingerprint {
  private SegmentFingerprint() {
  }

  public static String of(Segment segment, List<InputFile> inputs) {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    text(digest, segment.fileName());
    number(digest, segment.offset());
    number(digest, segment.bytes());
    if (segment.header() != null) {
      digest.update(segment.header());
    }
    for (Chunk chunk : segment.chunks()) {
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
    return HexFormat.of().formatHex(digest.digest());
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
