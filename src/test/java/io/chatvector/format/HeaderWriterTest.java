package io.chatvector.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class HeaderWriterTest {
  private static TensorInfo tensor(String name, DType dtype, long... shape) {
    return new TensorInfo(name, dtype, shape, 0, 0);
  }

  private static byte[] withData(byte[] prefix, List<TensorInfo> tensors) {
    long data = tensors.stream().mapToLong(t -> t.dtype().bytesFor(t.elements())).sum();
    return Arrays.copyOf(prefix, prefix.length + (int) data);
  }

  @Test
  void writesCompactJsonWithMetadataFirstPaddedToEight() {
    List<TensorInfo> tensors = List.of(tensor("w", DType.BF16, 2, 3), tensor("b", DType.F32, 3));
    byte[] prefix = HeaderWriter.write(Map.of(), tensors);
    long size = ByteBuffer.wrap(prefix).order(ByteOrder.LITTLE_ENDIAN).getLong();
    assertEquals(prefix.length - 8, size);
    assertEquals(0, size % 8);
    String json = new String(prefix, 8, (int) size, StandardCharsets.UTF_8);
    assertEquals("{\"__metadata__\":{\"format\":\"pt\"},"
        + "\"w\":{\"dtype\":\"BF16\",\"shape\":[2,3],\"data_offsets\":[0,12]},"
        + "\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[12,24]}}", json.stripTrailing());
    assertTrue(json.substring(json.stripTrailing().length()).chars().allMatch(c -> c == ' '));
  }

  @Test
  void keepsExtraMetadataAfterFormat() {
    Map<String, String> metadata = new LinkedHashMap<>();
    metadata.put("chatvector.base", "hdfs://nn/base");
    metadata.put("format", "tf");
    byte[] prefix = HeaderWriter.write(metadata, List.of(tensor("x", DType.F16, 1)));
    SafetensorsHeader header = SafetensorsFiles.read("f", withData(prefix, List.of(tensor("x", DType.F16, 1))));
    assertEquals(Map.of("format", "pt", "chatvector.base", "hdfs://nn/base"), header.metadata());
  }

  @Test
  void refusesATensorNamedMetadata() {
    assertThrows(IllegalArgumentException.class,
        () -> HeaderWriter.write(Map.of(), List.of(tensor("__metadata__", DType.F32, 1))));
  }

  @Test
  void refusesATensorThatIsNotAWholeNumberOfBytes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> HeaderWriter.write(Map.of(), List.of(tensor("scale", DType.F6_E2M3))));
    assertTrue(e.getMessage().contains("'scale'"), e.getMessage());
  }

  @Test
  void roundTripsRandomHeaders() {
    Random random = new Random(42);
    DType[] types = DType.values();
    for (int round = 0; round < 500; round++) {
      List<TensorInfo> tensors = new ArrayList<>();
      int count = random.nextInt(6);
      for (int i = 0; i < count; i++) {
        DType dtype = types[random.nextInt(types.length)];
        long[] shape = new long[random.nextInt(4) + (dtype.bits() < 8 ? 1 : 0)];
        for (int d = 0; d < shape.length; d++) {
          shape[d] = random.nextInt(5) * (dtype.bits() < 8 ? 8 : 1);
        }
        String name = "t" + i + (random.nextBoolean() ? "\u00e9\"\\/\u4e2d" : ".weight");
        tensors.add(tensor(name, dtype, shape));
      }
      SafetensorsHeader header = SafetensorsFiles.read("f", withData(HeaderWriter.write(Map.of(), tensors), tensors));
      long offset = 0;
      List<TensorInfo> read = header.tensors();
      assertEquals(tensors.size(), read.size());
      for (int i = 0; i < tensors.size(); i++) {
        TensorInfo expected = tensors.get(i);
        TensorInfo actual = read.stream().filter(t -> t.name().equals(expected.name())).findFirst().orElseThrow();
        assertEquals(expected.dtype(), actual.dtype());
        assertArrayEquals(expected.shape(), actual.shape());
        assertEquals(offset, actual.begin());
        offset += expected.dtype().bytesFor(expected.elements());
        assertEquals(offset, actual.end());
      }
    }
  }
}
