package io.chatvector.format;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A validated safetensors header. Every reader goes through {@link #readHeaderSize} and {@link #parse}, which
 * enforce the rules of the reference implementation (see shared/FORMAT.md) and a few stricter ones
 * (duplicate names are rejected).
 */
public final class SafetensorsHeader {
  public static final int PREFIX_BYTES = 8;
  /** The reference implementation's limit: a larger claimed header is refused before anything is allocated. */
  public static final long MAX_HEADER_SIZE = 100_000_000L;
  public static final String METADATA_KEY = "__metadata__";

  private static final ObjectMapper STRICT_JSON = new ObjectMapper(JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder()
          .maxStringLength((int) MAX_HEADER_SIZE)
          .maxNestingDepth(64)
          .build())
      .build())
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final String file;
  private final long headerSize;
  private final Map<String, String> metadata;
  private final List<TensorInfo> tensorsInDataOrder;

  private SafetensorsHeader(String file, long headerSize, Map<String, String> metadata, List<TensorInfo> tensors) {
    this.file = file;
    this.headerSize = headerSize;
    this.metadata = Collections.unmodifiableMap(metadata);
    this.tensorsInDataOrder = Collections.unmodifiableList(tensors);
  }

  public String file() {
    return file;
  }

  /** N, the header length in bytes, padding included. */
  public long headerSize() {
    return headerSize;
  }

  /** Position in the file of the first data byte: 8 + N. */
  public long dataStart() {
    return PREFIX_BYTES + headerSize;
  }

  public Map<String, String> metadata() {
    return metadata;
  }

  /** Tensors in the order their data lies in the file. */
  public List<TensorInfo> tensors() {
    return tensorsInDataOrder;
  }

  /**
   * Reads N from the first 8 bytes and checks it against the limit and the file length, so that the caller
   * can allocate N bytes safely.
   */
  public static long readHeaderSize(String file, byte[] prefix, long fileLength) {
    if (fileLength < PREFIX_BYTES || prefix.length < PREFIX_BYTES) {
      throw new SafetensorsFormatException(file, null,
          "file is " + fileLength + " bytes, shorter than the 8-byte header length");
    }
    long headerSize = ByteBuffer.wrap(prefix, 0, PREFIX_BYTES).order(ByteOrder.LITTLE_ENDIAN).getLong();
    if (Long.compareUnsigned(headerSize, MAX_HEADER_SIZE) > 0) {
      throw new SafetensorsFormatException(file, null, "header length " + Long.toUnsignedString(headerSize)
          + " exceeds the limit of " + MAX_HEADER_SIZE + " bytes");
    }
    if (PREFIX_BYTES + headerSize > fileLength) {
      throw new SafetensorsFormatException(file, null, "header length " + headerSize
          + " runs past the end of the file (" + fileLength + " bytes)");
    }
    return headerSize;
  }

  /** Parses and validates the N header bytes of a file of {@code fileLength} bytes. */
  public static SafetensorsHeader parse(String file, byte[] header, long fileLength) {
    JsonNode root = parseJson(file, header);
    Map<String, String> metadata = new LinkedHashMap<>();
    List<TensorInfo> tensors = new ArrayList<>();
    for (Iterator<Map.Entry<String, JsonNode>> fields = root.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (field.getKey().equals(METADATA_KEY)) {
        metadata = parseMetadata(file, field.getValue());
      } else {
        tensors.add(parseEntry(file, field.getKey(), field.getValue()));
      }
    }
    tensors.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
    long dataEnd = validateLayout(file, tensors);
    long expectedLength = PREFIX_BYTES + header.length + dataEnd;
    if (expectedLength != fileLength) {
      throw new SafetensorsFormatException(file, null, "file is " + fileLength + " bytes but its header describes "
          + expectedLength + " (" + (fileLength > expectedLength ? "trailing bytes" : "truncated data") + ")");
    }
    return new SafetensorsHeader(file, header.length, metadata, tensors);
  }

  private static JsonNode parseJson(String file, byte[] header) {
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(header))
          .toString();
    } catch (CharacterCodingException e) {
      throw new SafetensorsFormatException(file, null, "header is not valid UTF-8");
    }
    if (text.isEmpty() || text.charAt(0) != '{') {
      throw new SafetensorsFormatException(file, null, "header does not start with '{'");
    }
    JsonNode root;
    try {
      root = STRICT_JSON.readTree(text);
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at character " + e.getLocation().getCharOffset();
      String problem = e.getOriginalMessage().replaceAll("\\s+", " ");
      if (problem.startsWith("Duplicate")) {
        throw new SafetensorsFormatException(file, null, "header has a duplicate name" + where + ": " + problem);
      }
      throw new SafetensorsFormatException(file, null, "header is not valid JSON" + where + ": " + problem);
    }
    if (root == null || !root.isObject()) {
      throw new SafetensorsFormatException(file, null, "header is not a JSON object");
    }
    return root;
  }

  private static Map<String, String> parseMetadata(String file, JsonNode node) {
    Map<String, String> metadata = new LinkedHashMap<>();
    if (node.isNull()) {
      return metadata;
    }
    if (!node.isObject()) {
      throw new SafetensorsFormatException(file, null, "__metadata__ is not an object");
    }
    for (Iterator<Map.Entry<String, JsonNode>> fields = node.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getValue().isTextual()) {
        throw new SafetensorsFormatException(file, null,
            "__metadata__ value for '" + field.getKey() + "' is not a string");
      }
      metadata.put(field.getKey(), field.getValue().textValue());
    }
    return metadata;
  }

  private static TensorInfo parseEntry(String file, String name, JsonNode entry) {
    if (!entry.isObject()) {
      throw new SafetensorsFormatException(file, name, "entry is not an object");
    }
    JsonNode dtypeNode = required(file, name, entry, "dtype");
    if (!dtypeNode.isTextual() || DType.byName(dtypeNode.textValue()) == null) {
      throw new SafetensorsFormatException(file, name, "unknown dtype " + dtypeNode);
    }
    long[] shape = unsignedArray(file, name, "shape", required(file, name, entry, "shape"));
    long[] offsets = unsignedArray(file, name, "data_offsets", required(file, name, entry, "data_offsets"));
    if (offsets.length != 2) {
      throw new SafetensorsFormatException(file, name, "data_offsets has " + offsets.length + " values, expected 2");
    }
    return new TensorInfo(name, DType.byName(dtypeNode.textValue()), shape, offsets[0], offsets[1]);
  }

  private static JsonNode required(String file, String name, JsonNode entry, String field) {
    JsonNode value = entry.get(field);
    if (value == null) {
      throw new SafetensorsFormatException(file, name, "missing field '" + field + "'");
    }
    return value;
  }

  private static long[] unsignedArray(String file, String name, String field, JsonNode node) {
    if (!node.isArray()) {
      throw new SafetensorsFormatException(file, name, field + " is not an array");
    }
    long[] values = new long[node.size()];
    for (int i = 0; i < values.length; i++) {
      JsonNode value = node.get(i);
      if (!value.isIntegralNumber() || !value.canConvertToLong() || value.longValue() < 0) {
        throw new SafetensorsFormatException(file, name,
            field + " holds " + value + ", expected a non-negative integer");
      }
      values[i] = value.longValue();
    }
    return values;
  }

  /**
   * Walks tensors sorted by offsets: contiguous from 0, sizes matching shape and dtype. Returns the data end.
   * (Duplicate names never get here: the JSON parser refuses duplicate keys.)
   */
  private static long validateLayout(String file, List<TensorInfo> sorted) {
    long previousEnd = 0;
    for (TensorInfo tensor : sorted) {
      if (tensor.begin() != previousEnd) {
        throw new SafetensorsFormatException(file, tensor.name(), "data_offsets begin at " + tensor.begin()
            + " but the previous tensor ends at " + previousEnd + " (" + (tensor.begin() > previousEnd ? "gap" : "overlap")
            + ")");
      }
      if (tensor.end() < tensor.begin()) {
        throw new SafetensorsFormatException(file, tensor.name(),
            "data_offsets end " + tensor.end() + " is before begin " + tensor.begin());
      }
      long bytes;
      try {
        bytes = tensor.dtype().bytesFor(TensorInfo.elementCount(tensor.shape()));
      } catch (ArithmeticException e) {
        throw new SafetensorsFormatException(file, tensor.name(), "shape " + tensor.shapeString() + " overflows");
      }
      if (bytes < 0) {
        throw new SafetensorsFormatException(file, tensor.name(), "shape " + tensor.shapeString() + " of "
            + tensor.dtype() + " is not a whole number of bytes");
      }
      if (tensor.byteLength() != bytes) {
        throw new SafetensorsFormatException(file, tensor.name(), "data_offsets span " + tensor.byteLength()
            + " bytes but shape " + tensor.shapeString() + " of " + tensor.dtype() + " needs " + bytes);
      }
      previousEnd = tensor.end();
    }
    return previousEnd;
  }
}
