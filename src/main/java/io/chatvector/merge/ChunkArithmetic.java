package io.chatvector.merge;

import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;

/**
 * The merge arithmetic on one chunk: {@code out = round(start + w1*t1 + w2*t2 + ...)}, where {@code start} is
 * the CP chunk (or, with no CP, the first term) and a term is a vector or a (chat - base) difference.
 *
 * <p>Every operation is an f32 operation rounded to f32, in this order and without fused multiply-add, as
 * PyTorch evaluates {@code cp.float() + w * (chat.float() - base.float())} statement by statement; the result
 * is rounded once to the output type. A weight of 1 is an exact multiplication, so it changes no bits.
 *
 * <p>Works block by block, so a chunk of any size costs a few small f32 arrays beyond its bytes.
 */
public final class ChunkArithmetic {
  private static final int BLOCK = 8192;
  private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
  private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

  private final float[] accumulator = new float[BLOCK];
  private final float[] plus = new float[BLOCK];
  private final float[] minus = new float[BLOCK];
  private final boolean allowNonFinite;

  public ChunkArithmetic(boolean allowNonFinite) {
    this.allowNonFinite = allowNonFinite;
  }

  /**
   * Computes {@code elements} output values into {@code out}.
   *
   * @param start the CP chunk, or null to start from the first term alone (extraction)
   * @param position the tensor and element index of the chunk's first element, for error messages
   */
  public void compute(ChunkPosition position, int elements, Operand start, List<Term> terms, DType outType,
      byte[] out) {
    for (int done = 0; done < elements; done += BLOCK) {
      int count = Math.min(BLOCK, elements - done);
      int firstTerm = 0;
      if (start != null) {
        decode(position, done, count, start, accumulator);
      } else {
        loadTerm(position, done, count, terms.get(0), accumulator);
        firstTerm = 1;
      }
      for (int t = firstTerm; t < terms.size(); t++) {
        loadTerm(position, done, count, terms.get(t), plus);
        for (int i = 0; i < count; i++) {
          accumulator[i] = accumulator[i] + plus[i];
        }
      }
      encode(position, done, count, outType, out);
    }
  }

  /** Leaves {@code weight * (plus [- minus])} in {@code target}. */
  private void loadTerm(ChunkPosition position, int offset, int count, Term term, float[] target) {
    decode(position, offset, count, term.plus(), target);
    if (term.minus() != null) {
      decode(position, offset, count, term.minus(), minus);
      for (int i = 0; i < count; i++) {
        target[i] = target[i] - minus[i];
      }
    }
    float weight = term.weight();
    if (weight != 1.0f) {
      for (int i = 0; i < count; i++) {
        target[i] = weight * target[i];
      }
    }
  }

  private void decode(ChunkPosition position, int offset, int count, Operand operand, float[] target) {
    byte[] bytes = operand.bytes();
    switch (operand.dtype()) {
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          target[i] = Floats.bf16ToF32((short) SHORTS.get(bytes, (offset + i) << 1));
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          target[i] = Floats.f16ToF32((short) SHORTS.get(bytes, (offset + i) << 1));
        }
      }
      case F32 -> {
        for (int i = 0; i < count; i++) {
          target[i] = Float.intBitsToFloat((int) INTS.get(bytes, (offset + i) << 2));
        }
      }
      default -> throw new IllegalArgumentException("Cannot merge dtype " + operand.dtype());
    }
    if (!allowNonFinite) {
      int bad = firstNonFinite(target, count);
      if (bad >= 0) {
        throw new InvalidInputException(operand.file() + ": " + position.describe(offset + bad) + " is "
            + target[bad] + " (use --allow-nonfinite to merge non-finite values)");
      }
    }
  }

  private void encode(ChunkPosition position, int offset, int count, DType outType, byte[] out) {
    switch (outType) {
      case BF16 -> {
        for (int i = 0; i < count; i++) {
          SHORTS.set(out, (offset + i) << 1, Floats.f32ToBf16(accumulator[i]));
        }
      }
      case F16 -> {
        for (int i = 0; i < count; i++) {
          SHORTS.set(out, (offset + i) << 1, Floats.f32ToF16(accumulator[i]));
        }
      }
      case F32 -> {
        for (int i = 0; i < count; i++) {
          INTS.set(out, (offset + i) << 2, Float.floatToRawIntBits(accumulator[i]));
        }
      }
      default -> throw new IllegalArgumentException("Cannot write merged values as " + outType);
    }
    if (!allowNonFinite) {
      checkRepresentable(position, offset, count, outType, out);
    }
  }

  /** Finite inputs can still sum past the output type's range; that is an error, not a silent infinity. */
  private static void checkRepresentable(ChunkPosition position, int offset, int count, DType outType, byte[] out) {
    for (int i = 0; i < count; i++) {
      int raw = outType == DType.F32
          ? (int) INTS.get(out, (offset + i) << 2)
          : (short) SHORTS.get(out, (offset + i) << 1);
      if (Floats.isNonFinite(outType, raw)) {
        throw new InvalidInputException(position.describe(offset + i) + ": the merged value overflows " + outType
            + " (use --allow-nonfinite to keep infinities)");
      }
    }
  }

  private static int firstNonFinite(float[] values, int count) {
    for (int i = 0; i < count; i++) {
      if (!Float.isFinite(values[i])) {
        return i;
      }
    }
    return -1;
  }

  /** Which tensor and element a chunk starts at, to name elements in errors by their index in the tensor. */
  public record ChunkPosition(String tensor, long[] shape, long firstElement) {
    public String describe(int elementInChunk) {
      return "tensor '" + tensor + "' element " + Arrays.toString(unflatten(firstElement + elementInChunk));
    }

    private long[] unflatten(long flat) {
      long[] index = new long[shape.length];
      for (int d = shape.length - 1; d >= 0; d--) {
        index[d] = shape[d] == 0 ? 0 : flat % shape[d];
        flat = shape[d] == 0 ? flat : flat / shape[d];
      }
      return index;
    }
  }
}
