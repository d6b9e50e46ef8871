package io.chatvector.io;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.Test;

class Crc32cTest {
  private static int crc(byte[] bytes, int from, int to) {
    CRC32C crc = new CRC32C();
    crc.update(bytes, from, to - from);
    return (int) crc.getValue();
  }

  @Test
  void combinesTheCrcsOfPartsIntoTheCrcOfTheWhole() {
    SplittableRandom random = new SplittableRandom(9);
    for (int round = 0; round < 200; round++) {
      byte[] bytes = new byte[random.nextInt(1, 5000)];
      random.nextBytes(bytes);
      int[] bounds = java.util.stream.IntStream.concat(java.util.stream.IntStream.of(0, bytes.length),
          random.ints(random.nextInt(4), 0, bytes.length + 1)).sorted().toArray();
      int combined = crc(bytes, 0, 0);
      for (int part = 0; part + 1 < bounds.length; part++) {
        combined = Crc32c.combine(combined, crc(bytes, bounds[part], bounds[part + 1]), bounds[part + 1] - bounds[part]);
      }
      assertEquals(crc(bytes, 0, bytes.length), combined, "round " + round);
    }
  }
}
