package io.chatvector.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Serializes a safetensors header the way the reference writer does: compact JSON, {@code __metadata__} first
 * (always with {@code "format": "pt"}), padded with spaces to a multiple of 8, preceded by its length.
 */
public final class HeaderWriter {
  /** Kept well under readers' limits (the reference reads up to 100 MB). */
  public static final long MAX_WRITTEN_HEADER_SIZE = 25_000_000L;
  private static final JsonFactory JSON = new JsonFactory();

  private HeaderWriter() {
  }

  /**
   * The full prefix of a file: 8 length bytes and the padded header. Tensors get consecutive offsets in list
   * order; their begin/end fields are ignored.
   */
  public static byte[] write(Map<String, String> metadata, List<TensorInfo> tensors) {
    ByteArrayOutputStream json = new ByteArrayOutputStream();
    try (JsonGenerator out = JSON.createGenerator(json)) {
      out.writeStartObject();
      out.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
      out.writeStringField("format", "pt");
      for (Map.Entry<String, String> entry : metadata.entrySet()) {
        if (!entry.getKey().equals("format")) {
          out.writeStringField(entry.getKey(), entry.getValue());
        }
      }
      out.writeEndObject();
      long offset = 0;
      for (TensorInfo tensor : tensors) {
        if (tensor.name().equals(SafetensorsHeader.METADATA_KEY)) {
          throw new IllegalArgumentException("Cannot write a tensor named " + SafetensorsHeader.METADATA_KEY);
        }
        long bytes = tensor.dtype().bytesFor(tensor.elements());
        if (bytes < 0) {
          throw new IllegalArgumentException("Cannot write tensor '" + tensor.name() + "': shape "
              + tensor.shapeString() + " of " + tensor.dtype() + " is not a whole number of bytes");
        }
        out.writeObjectFieldStart(tensor.name());
        out.writeStringField("dtype", tensor.dtype().name());
        out.writeArrayFieldStart("shape");
        for (long dim : tensor.shape()) {
          out.writeNumber(dim);
        }
        out.writeEndArray();
        out.writeArrayFieldStart("data_offsets");
        out.writeNumber(offset);
        out.writeNumber(offset + bytes);
        out.writeEndArray();
        out.writeEndObject();
        offset += bytes;
      }
      out.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    byte[] body = json.toByteArray();
    int padded = (body.length + 7) / 8 * 8;
    if (padded > MAX_WRITTEN_HEADER_SIZE) {
      throw new IllegalArgumentException("Cannot write a header of " + padded + " bytes, the limit is "
          + MAX_WRITTEN_HEADER_SIZE);
    }
    byte[] prefix = new byte[SafetensorsHeader.PREFIX_BYTES + padded];
    ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    System.arraycopy(body, 0, prefix, SafetensorsHeader.PREFIX_BYTES, body.length);
    Arrays.fill(prefix, SafetensorsHeader.PREFIX_BYTES + body.length, prefix.length, (byte) ' ');
    return prefix;
  }
}
