package io.chatvector.format;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations of valid files (bit flips, truncations, splices, length fields, random JSON): the reader either
 * accepts a file or throws the format error, never anything else, never hangs, and never allocates far beyond
 * the file's size. A longer run: {@code mvn -B test -Dtest=SafetensorsFuzzTest -Dfuzz.iterations=1000000}.
 */
class SafetensorsFuzzTest {
  private static final int ITERATIONS = Integer.getInteger("fuzz.iterations", 5000);
  private static final long SEED = Long.getLong("fuzz.seed", 20231004L);
  private static final int WARM_UP = 500;
  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  @Test
  void theReaderAcceptsOrRefusesEveryMutation() {
    assertTimeoutPreemptively(Duration.ofMinutes(10), () -> {
      SplittableRandom random = new SplittableRandom(SEED);
      List<byte[]> seeds = validFiles(random);
      int accepted = 0;
      for (int i = 0; i < ITERATIONS; i++) {
        byte[] file = mutate(random, seeds);
        long before = THREADS.getCurrentThreadAllocatedBytes();
        try {
          SafetensorsFiles.read("fuzz-" + i, file);
          accepted++;
        } catch (SafetensorsFormatException expected) {
          // The outcome we want for a broken file.
        } catch (Throwable unexpected) {
          fail("case " + i + " (seed " + SEED + ") threw " + unexpected + " for "
              + HexFormat.of().formatHex(file, 0, Math.min(file.length, 200)), unexpected);
        }
        long allocated = THREADS.getCurrentThreadAllocatedBytes() - before;
        // The first cases load and initialise the JSON parser's classes; measure once they are warm.
        assertTrue(i < WARM_UP || allocated < 64L * file.length + (1 << 20), "case " + i + " allocated "
            + allocated + " bytes for a file of " + file.length);
      }
      assertTrue(accepted > 0 && accepted < ITERATIONS, "accepted " + accepted + " of " + ITERATIONS);
    });
  }

  private static List<byte[]> validFiles(SplittableRandom random) {
    List<byte[]> files = new ArrayList<>();
    DType[] types = {DType.F32, DType.BF16, DType.F16, DType.I64, DType.U8, DType.F4};
    for (int f = 0; f < 8; f++) {
      List<TensorInfo> tensors = new ArrayList<>();
      for (int t = 0; t < 1 + random.nextInt(5); t++) {
        DType dtype = types[random.nextInt(types.length)];
        long[] shape = {random.nextInt(4) * 2L, 1 + random.nextInt(3) * 2L};
        tensors.add(new TensorInfo("model.layers." + t + ".weight", dtype, shape, 0, 0));
      }
      byte[] header = HeaderWriter.write(Map.of("source", "fuzz"), tensors);
      long data = tensors.stream().mapToLong(t -> t.dtype().bytesFor(t.elements())).sum();
      byte[] file = Arrays.copyOf(header, header.length + (int) data);
      for (int i = header.length; i < file.length; i++) {
        file[i] = (byte) random.nextInt();
      }
      files.add(file);
    }
    return files;
  }

  private static byte[] mutate(SplittableRandom random, List<byte[]> seeds) {
    byte[] file = seeds.get(random.nextInt(seeds.size())).clone();
    switch (random.nextInt(7)) {
      case 0 -> {
        for (int flips = 1 + random.nextInt(4); flips > 0; flips--) {
          int bit = random.nextInt(file.length * 8);
          file[bit / 8] ^= (byte) (1 << (bit % 8));
        }
      }
      case 1 -> file = Arrays.copyOf(file, random.nextInt(file.length + 1));
      case 2 -> {
        byte[] other = seeds.get(random.nextInt(seeds.size()));
        int cut = random.nextInt(file.length);
        int from = random.nextInt(other.length);
        byte[] spliced = Arrays.copyOf(file, cut + other.length - from);
        System.arraycopy(other, from, spliced, cut, other.length - from);
        file = spliced;
      }
      case 3 -> {
        long[] lengths = {0, 1, 7, 8, Long.MAX_VALUE, -1, 100_000_000, 100_000_001, file.length, random.nextLong()};
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putLong(0, lengths[random.nextInt(lengths.length)]);
      }
      case 4 -> file = SafetensorsFiles.file(randomJson(random, 0).getBytes(StandardCharsets.UTF_8), random.nextInt(64));
      case 5 -> {
        // Replace one character of the JSON with a structural one, to reach deeper parser paths.
        int headerEnd = Math.min(file.length, 8 + (int) ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).getLong(0));
        if (headerEnd > 9) {
          file[8 + random.nextInt(headerEnd - 8)] = (byte) "{}[]:,\"-.0e9 \\".charAt(random.nextInt(14));
        }
      }
      default -> {
        int at = random.nextInt(file.length);
        byte[] grown = new byte[file.length + 1];
        System.arraycopy(file, 0, grown, 0, at);
        grown[at] = (byte) random.nextInt();
        System.arraycopy(file, at, grown, at + 1, file.length - at);
        file = grown;
      }
    }
    return file;
  }

  private static String randomJson(SplittableRandom random, int depth) {
    int kind = depth > 4 ? random.nextInt(4) : random.nextInt(7);
    return switch (kind) {
      case 0 -> Long.toString(random.nextLong(-5, 1L << 40));
      case 1 -> "\"" + (random.nextBoolean() ? "F32" : "x\\u00e9" + random.nextInt(10)) + "\"";
      case 2 -> random.nextBoolean() ? "null" : "1.5e3";
      case 3 -> "[" + random.nextInt(3) + "," + random.nextInt(1 << 20) + "]";
      case 4 -> {
        StringBuilder array = new StringBuilder("[");
        for (int i = random.nextInt(4); i > 0; i--) {
          array.append(randomJson(random, depth + 1)).append(i > 1 ? "," : "");
        }
        yield array.append("]").toString();
      }
      default -> {
        String[] keys = {"dtype", "shape", "data_offsets", "__metadata__", "t", "u"};
        StringBuilder object = new StringBuilder("{");
        for (int i = random.nextInt(4); i > 0; i--) {
          object.append('"').append(keys[random.nextInt(keys.length)]).append("\":")
              .append(randomJson(random, depth + 1)).append(i > 1 ? "," : "");
        }
        yield object.append("}").toString();
      }
    };
  }
}
