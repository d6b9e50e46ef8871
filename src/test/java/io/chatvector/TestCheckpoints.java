package io.chatvector;

import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.format.HeaderWriter;
import io.chatvector.format.TensorInfo;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;

/** Writes hand-made checkpoints and reads tensors back, for tests on local disk. */
public final class TestCheckpoints {
  private TestCheckpoints() {
  }

  /** A tensor to write: its values are rounded to dtype. */
  public record Values(DType dtype, long[] shape, float[] values) {
    public static Values of(DType dtype, long[] shape, float... values) {
      return new Values(dtype, shape, values);
    }
  }

  /** Writes {@code model.safetensors} with these tensors in this order. */
  public static void write(Path directory, Map<String, Values> tensors) {
    try {
      Files.createDirectories(directory);
      List<TensorInfo> infos = new ArrayList<>();
      ByteBuffer data = ByteBuffer.allocate(tensors.values().stream()
          .mapToInt(v -> v.values().length * v.dtype().bits() / 8).sum()).order(ByteOrder.LITTLE_ENDIAN);
      tensors.forEach((name, v) -> {
        infos.add(new TensorInfo(name, v.dtype(), v.shape(), 0, 0));
        for (float value : v.values()) {
          if (v.dtype() == DType.I64) {
            data.putLong((long) value);
          } else {
            Floats.put(data, v.dtype(), value);
          }
        }
      });
      byte[] header = HeaderWriter.write(Map.of(), infos);
      Path file = directory.resolve(Checkpoint.SINGLE_FILE);
      Files.write(file, header);
      Files.write(file, data.array(), java.nio.file.StandardOpenOption.APPEND);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static Map<String, Values> tensors(Object... nameAndValues) {
    Map<String, Values> map = new LinkedHashMap<>();
    for (int i = 0; i < nameAndValues.length; i += 2) {
      map.put((String) nameAndValues[i], (Values) nameAndValues[i + 1]);
    }
    return map;
  }

  /** A tensor as stored: info and raw bytes. */
  public record Stored(TensorInfo info, byte[] bytes) {
    public float value(int element) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      return switch (info.dtype()) {
        case BF16 -> Floats.bf16ToF32(buffer.getShort(2 * element));
        case F16 -> Floats.f16ToF32(buffer.getShort(2 * element));
        case F32 -> buffer.getFloat(4 * element);
        default -> throw new IllegalArgumentException(info.dtype().name());
      };
    }

    public int bits(int element) {
      ByteBuffer buffer = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      return info.dtype().bits() == 16 ? buffer.getShort(2 * element) & 0xFFFF : buffer.getInt(4 * element);
    }

    public int elements() {
      return (int) info.elements();
    }
  }

  /** Every tensor of a local checkpoint, in storage order, read through our validating reader. */
  public static Map<String, Stored> read(Path directory) {
    Checkpoint checkpoint = Checkpoint.open(directory.toString(), new Configuration());
    Map<String, Stored> tensors = new LinkedHashMap<>();
    for (CheckpointTensor tensor : checkpoint.tensors()) {
      byte[] bytes = new byte[(int) tensor.info().byteLength()];
      try (RandomAccessFile file = new RandomAccessFile(Path.of(URI.create(tensor.file())).toFile(), "r")) {
        file.seek(tensor.dataPosition());
        file.readFully(bytes);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      tensors.put(tensor.name(), new Stored(tensor.info(), bytes));
    }
    return tensors;
  }
}
