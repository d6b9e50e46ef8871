package io.chatvector.format;

import static io.chatvector.format.SafetensorsFiles.file;
import static io.chatvector.format.SafetensorsFiles.read;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SafetensorsHeaderTest {
  private static final String FILE = "hdfs://nn/models/x/model.safetensors";

  private static SafetensorsFormatException refused(byte[] file) {
    return assertThrows(SafetensorsFormatException.class, () -> read(FILE, file));
  }

  private static void assertRefused(String header, int dataBytes, String... expectedParts) {
    String message = refused(file(header, dataBytes)).getMessage();
    assertTrue(message.startsWith(FILE + ": "), message);
    for (String part : expectedParts) {
      assertTrue(message.contains(part), () -> "'" + message + "' lacks '" + part + "'");
    }
  }

  @Test
  void readsAValidFileWithMetadata() {
    SafetensorsHeader header = read(FILE, file("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"b\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[8,20]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 20));
    assertEquals("pt", header.metadata().get("format"));
    assertEquals(List.of("a", "b"), header.tensors().stream().map(TensorInfo::name).toList());
    TensorInfo b = header.tensors().get(1);
    assertEquals(DType.BF16, b.dtype());
    assertArrayEquals(new long[] {2, 3}, b.shape());
    assertEquals(8, b.begin());
    assertEquals(20, b.end());
  }

  @Test
  void refusesAFileShorterThanTheLengthPrefix() {
    SafetensorsFormatException e = refused(new byte[] {1, 0, 0});
    assertTrue(e.getMessage().contains("shorter than the 8-byte header length"), e.getMessage());
  }

  @Test
  void refusesAHugeHeaderLengthBeforeAllocating() {
    byte[] file = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(100_000_001L).array();
    assertTrue(refused(file).getMessage().contains("exceeds the limit of 100000000"));
  }

  @Test
  void refusesANegativeHeaderLengthAsTooLarge() {
    byte[] file = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(-8L).array();
    String message = refused(file).getMessage();
    assertTrue(message.contains("18446744073709551608 exceeds the limit"), message);
  }

  @Test
  void refusesClaimedHeadersBeforeAllocatingThem() throws Exception {
    com.sun.management.ThreadMXBean threads =
        (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
    refused(ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(8).array());
    for (long claimed : new long[] {90_000_000L, Long.MAX_VALUE, 1L << 63}) {
      byte[] file = ByteBuffer.allocate(64).order(ByteOrder.LITTLE_ENDIAN).putLong(claimed).array();
      long before = threads.getCurrentThreadAllocatedBytes();
      refused(file);
      long allocated = threads.getCurrentThreadAllocatedBytes() - before;
      assertTrue(allocated < 1_000_000, "a claim of " + claimed + " bytes cost " + allocated + " bytes");
    }
  }

  @Test
  void refusesAHeaderLengthPastTheEndOfTheFile() {
    byte[] file = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(9).array();
    assertTrue(refused(file).getMessage().contains("runs past the end of the file (16 bytes)"));
  }

  @Test
  void refusesInvalidUtf8() {
    byte[] header = {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'};
    assertTrue(refused(file(header, 0)).getMessage().contains("not valid UTF-8"));
  }

  @Test
  void refusesAHeaderThatIsNotAnObject() {
    assertRefused("[1, 2, 3]", 0, "does not start with '{'");
    assertRefused("  {}", 0, "does not start with '{'");
  }

  @Test
  void refusesTrailingGarbageAfterTheObject() {
    assertRefused("{}{}", 0, "not valid JSON");
    assertRefused("{}\0\0\0\0", 0, "not valid JSON");
  }

  @Test
  void acceptsSpacePadding() {
    assertEquals(0, read(FILE, file("{}      ", 0)).tensors().size());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "{\"t\":{\"dtype\":\"f32\",\"shape\":[1],\"data_offsets\":[0,4]}}|4|unknown dtype \"f32\"",
      "{\"t\":{\"dtype\":\"F128\",\"shape\":[1],\"data_offsets\":[0,4]}}|4|unknown dtype",
      "{\"t\":{\"dtype\":7,\"shape\":[1],\"data_offsets\":[0,4]}}|4|unknown dtype",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}|4|shape holds -1",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}|4|shape holds 1.0",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1e0],\"data_offsets\":[0,4]}}|4|shape holds 1.0",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4e0]}}|4|data_offsets holds 4.0",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,99999999999999999999]}}|4|data_offsets holds",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}|4|data_offsets has 3 values",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4]}}|4|data_offsets has 1 values",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":1,\"data_offsets\":[0,4]}}|4|shape is not an array",
      "{\"t\":{\"shape\":[1],\"data_offsets\":[0,4]}}|4|missing field 'dtype'",
      "{\"t\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}|4|missing field 'shape'",
      "{\"t\":{\"dtype\":\"F32\",\"shape\":[1]}}|4|missing field 'data_offsets'",
      "{\"t\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}|4|duplicate name",
      "{\"t\":[1]}|0|entry is not an object",
      "{\"__metadata__\":{\"n\":1}}|0|__metadata__ value for 'n' is not a string",
      "{\"__metadata__\":[]}|0|__metadata__ is not an object",
  })
  void refusesBadEntries(String header, int dataBytes, String expected) {
    assertRefused(header, dataBytes, expected);
  }

  @Test
  void namesTheTensorInEntryErrors() {
    assertRefused("{\"model.layers.0.mlp.up_proj.weight\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}",
        4, "tensor 'model.layers.0.mlp.up_proj.weight'");
  }

  @Test
  void refusesAGapBetweenTensors() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}", 12, "tensor 'b'", "gap");
  }

  @Test
  void refusesOverlappingTensors() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "tensor 'b'", "overlap");
  }

  @Test
  void refusesAFirstOffsetOtherThanZero() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "tensor 'a'", "begin at 4");
  }

  @Test
  void refusesAnEndBeforeTheBegin() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"c\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4, "before begin");
  }

  @Test
  void refusesASizeThatDoesNotMatchShapeAndDtype() {
    assertRefused("{\"a\":{\"dtype\":\"BF16\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8,
        "tensor 'a'", "span 8 bytes", "needs 6");
  }

  @Test
  void refusesAShapeWhoseProductOverflows() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}", 4,
        "tensor 'a'", "overflows");
    assertRefused("{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,4]}}", 4,
        "overflows");
  }

  @Test
  void refusesAFractionalByteCount() {
    assertRefused("{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}", 2, "not a whole number of bytes");
  }

  @Test
  void refusesTrailingBytesAndMissingBytes() {
    String header = "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
    assertRefused(header, 5, "trailing bytes");
    assertRefused(header, 3, "truncated data");
  }

  @Test
  void refusesDuplicateTensorNames() {
    assertRefused("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
        + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8, "duplicate name");
  }

  @Test
  void acceptsZeroSizeTensorsScalarsExtraFieldsAndUnalignedOffsets() {
    SafetensorsHeader header = read(FILE, file("{"
        + "\"empty\":{\"dtype\":\"F32\",\"shape\":[2,0],\"data_offsets\":[0,0]},"
        + "\"flag\":{\"dtype\":\"U8\",\"shape\":[],\"data_offsets\":[0,1],\"extra\":{\"any\":[1]}},"
        + "\"unaligned\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[1,5]},"
        + "\"f4\":{\"dtype\":\"F4\",\"shape\":[4],\"data_offsets\":[5,7]}}", 7));
    assertEquals(List.of("empty", "flag", "unaligned", "f4"), header.tensors().stream().map(TensorInfo::name).toList());
    assertEquals(1, header.tensors().get(1).elements());
  }

  @Test
  void acceptsANullMetadata() {
    assertTrue(read(FILE, file("{\"__metadata__\":null}", 0)).metadata().isEmpty());
  }
}
