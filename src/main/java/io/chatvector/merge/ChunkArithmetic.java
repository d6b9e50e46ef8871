package io.chatvector.merge;

import io.chatvector.InvalidInputException;
import io.chatvector.format.DType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.ShortBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * The merge arithmetic on one chunk: {@code out = round(start + w1*t1 + w2*t2 + ...)}, where {@code start} is
 * the CP chunk (or, with no CP, the first term) and a term is a vector or a (chat - base) difference.
 *
 * <p>Every operation is an f32 operation rounded to f32, in this order and without fused multiply-add, as
 * PyTorch evaluates {@code cp.float() + w * (chat.float() - base.float())} statement by statement; the result
 * is rounded once to the output type. The weight is always applied; a weight of 1 is an exact multiplication.
 *
 * <p>Works block by block, so a chunk of any size costs a few small arrays beyond its bytes.
 */
public final class ChunkArithmetic {
  /** Small enough that a block of every operand and the accumulator stay in the core's L1 cache. */
  static final int BLOCK = 2048;
  /** Finite f32 values at or above these magnitudes round to infinity in the 16-bit types. */
  private static final float BF16_OVERFLOW = Float.intBitsToFloat(0x7F7F8000);
  private static final float F16_OVERFLOW = 65520.0f;

  private final float[] accumulator = new float[BLOCK];
  private final float[] plus = new float[BLOCK];
  private final float[] minus = new float[BLOCK];
  private final short[] raw = new short[BLOCK];
  private final boolean allowNonFinite;
  /** The loops to use, or null to use the vector loops once {@link KernelWarmUp} has them compiled. */
  private final Lanes fixedLanes;
  private Lanes lanes;

  public ChunkArithmetic(boolean allowNonFinite) {
    this(allowNonFinite, null);
  }

  ChunkArithmetic(boolean allowNonFinite, Lanes lanes) {
    this.allowNonFinite = allowNonFinite;
    this.fixedLanes = lanes;
  }

  /**
   * Computes {@code elements} output values into {@code out}.
   *
   * @param start the CP chunk, or null to start from the first term alone (extraction)
   * @param position the tensor and element index of the chunk's first element, for error messages
   */
  public void compute(ChunkPosition position, int elements, Operand start, List<Term> terms, DType outType,
      ByteBuffer out) {
    lanes = fixedLanes != null ? fixedLanes : KernelWarmUp.lanes(outType, start, terms);
    for (int done = 0; done < elements; done += BLOCK) {
      int count = Math.min(BLOCK, elements - done);
      int firstTerm = 0;
      if (start != null) {
        decode(position, done, count, start, accumulator);
      } else {
        Term term = terms.get(0);
        lanes.term(accumulator, decode(position, done, count, term.plus(), plus), decodeMinus(position, done, count,
            term), term.weight(), count);
        firstTerm = 1;
      }
      for (int t = firstTerm; t < terms.size(); t++) {
        Term term = terms.get(t);
        lanes.addTerm(accumulator, decode(position, done, count, term.plus(), plus), decodeMinus(position, done,
            count, term), term.weight(), count);
      }
      encode(position, done, count, outType, out);
    }
  }

  private float[] decodeMinus(ChunkPosition position, int offset, int count, Term term) {
    return term.minus() == null ? null : decode(position, offset, count, term.minus(), minus);
  }

  /** Leaves the operand's values in {@code target} and returns it. */
  private float[] decode(ChunkPosition position, int offset, int count, Operand operand, float[] target) {
    ByteBuffer bytes = operand.bytes();
    int bad = switch (operand.dtype()) {
      case BF16 -> {
        shorts(bytes).get(offset, raw, 0, count);
        yield lanes.widenBf16(raw, count, target);
      }
      case F16 -> {
        shorts(bytes).get(offset, raw, 0, count);
        yield lanes.widenF16(raw, count, target);
      }
      case F32 -> {
        floats(bytes).get(offset, target, 0, count);
        yield allowNonFinite ? -1 : lanes.firstNotBelow(target, count, Float.POSITIVE_INFINITY);
      }
      default -> throw new IllegalArgumentException("Cannot merge dtype " + operand.dtype());
    };
    if (bad >= 0 && !allowNonFinite) {
      throw new InvalidInputException(operand.file() + ": " + position.describe(offset + bad) + " is "
          + target[bad] + " (use --allow-nonfinite to merge non-finite values)");
    }
    return target;
  }

  private void encode(ChunkPosition position, int offset, int count, DType outType, ByteBuffer out) {
    // Finite inputs can still sum past the output type's range; that is an error, not a silent infinity.
    int bad = switch (outType) {
      case BF16 -> {
        int overflow = lanes.narrowBf16(accumulator, count, raw, BF16_OVERFLOW);
        shorts(out).put(offset, raw, 0, count);
        yield overflow;
      }
      case F16 -> {
        int overflow = lanes.narrowF16(accumulator, count, raw, F16_OVERFLOW);
        shorts(out).put(offset, raw, 0, count);
        yield overflow;
      }
      case F32 -> {
        floats(out).put(offset, accumulator, 0, count);
        yield allowNonFinite ? -1 : lanes.firstNotBelow(accumulator, count, Float.POSITIVE_INFINITY);
      }
      default -> throw new IllegalArgumentException("Cannot write merged values as " + outType);
    };
    if (bad >= 0 && !allowNonFinite) {
      throw new InvalidInputException(position.describe(offset + bad) + ": the merged value overflows " + outType
          + " (use --allow-nonfinite to keep infinities)");
    }
  }

  /** Views from index 0: bulk copies between them and arrays are memory copies on little-endian machines. */
  private static ShortBuffer shorts(ByteBuffer bytes) {
    return bytes.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).asShortBuffer();
  }

  private static FloatBuffer floats(ByteBuffer bytes) {
    return bytes.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer();
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
