package io.chatvector.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Builds raw safetensors bytes from a literal header, for tests of what readers accept and refuse. */
public final class SafetensorsFiles {
  private SafetensorsFiles() {
  }

  public static byte[] file(String headerJson, int dataBytes) {
    return file(headerJson.getBytes(StandardCharsets.UTF_8), dataBytes);
  }

  public static byte[] file(byte[] header, int dataBytes) {
    ByteBuffer buffer = ByteBuffer.allocate(8 + header.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    buffer.putLong(header.length).put(header);
    return buffer.array();
  }

  /** Runs a file's bytes through both reader steps, as every reader does. */
  public static SafetensorsHeader read(String name, byte[] file) {
    long size = SafetensorsHeader.readHeaderSize(name, java.util.Arrays.copyOf(file, Math.min(8, file.length)),
        file.length);
    byte[] header = java.util.Arrays.copyOfRange(file, 8, 8 + (int) size);
    return SafetensorsHeader.parse(name, header, file.length);
  }
}
