package io.chatvector.io;

/**
 * CRC-32C of a concatenation from the CRCs of its parts, as zlib's {@code crc32_combine} does for CRC-32: so a
 * shard written in parallel segments still gets one checksum of its whole bytes, with no second read.
 */
public final class Crc32c {
  /** The reflected Castagnoli polynomial, as java.util.zip.CRC32C uses. */
  private static final int POLYNOMIAL = 0x82F63B78;

  private Crc32c() {
  }

  /** The CRC-32C of {@code length} bytes of a file from {@code offset}, read in large blocks. */
  public static int ofRange(org.apache.hadoop.fs.FileSystem fs, org.apache.hadoop.fs.Path file, long offset,
      long length) throws java.io.IOException {
    java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
    byte[] buffer = new byte[(int) Math.min(8 << 20, Math.max(1, length))];
    try (org.apache.hadoop.fs.FSDataInputStream in = fs.open(file)) {
      for (long done = 0; done < length; ) {
        int read = (int) Math.min(buffer.length, length - done);
        in.readFully(offset + done, buffer, 0, read);
        crc.update(buffer, 0, read);
        done += read;
      }
    }
    return (int) crc.getValue();
  }

  /** The CRC of A followed by B, given crc(A), crc(B) and B's length. */
  public static int combine(int crcA, int crcB, long lengthB) {
    if (lengthB <= 0) {
      return crcA;
    }
    int[] odd = new int[32];
    int[] even = new int[32];
    odd[0] = POLYNOMIAL;
    int row = 1;
    for (int n = 1; n < 32; n++) {
      odd[n] = row;
      row <<= 1;
    }
    square(even, odd);
    square(odd, even);
    int crc = crcA;
    long remaining = lengthB;
    do {
      square(even, odd);
      if ((remaining & 1) != 0) {
        crc = times(even, crc);
      }
      remaining >>>= 1;
      if (remaining == 0) {
        break;
      }
      square(odd, even);
      if ((remaining & 1) != 0) {
        crc = times(odd, crc);
      }
      remaining >>>= 1;
    } while (remaining != 0);
    return crc ^ crcB;
  }

  private static int times(int[] matrix, int vector) {
    int sum = 0;
    for (int i = 0; vector != 0; i++, vector >>>= 1) {
      if ((vector & 1) != 0) {
        sum ^= matrix[i];
      }
    }
    return sum;
  }

  private static void square(int[] square, int[] matrix) {
    for (int n = 0; n < 32; n++) {
      square[n] = times(matrix, matrix[n]);
    }
  }
}
