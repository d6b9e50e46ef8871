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
 * is rounded once to the output type. A weight of 1 is an exact multiplication, so it changes no bits.
 *
 * <p>Works block by block, so a chunk of any size costs a few small arrays beyond its bytes.
 */
public final class ChunkArithmetic {
  private static final int BLOCK = 8192;
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
        loadTerm(position, done, count, terms.get(0), accumulator);
        firstTerm = 1;
      }
      for (int t = firstTerm; t < terms.size(); t++) {
        loadTerm(position, done, count, terms.get(t), plus);
        lanes.add(accumulator, plus, count);
      }
      encode(position, done, count, outType, out);
    }
  }

  /** Leaves {@code weight * (plus [- minus])} in {@code target}. */
  private void loadTerm(ChunkPosition position, int offset, int count, Term term, float[] target) {
    decode(position, offset, count, term.plus(), target);
    if (term.minus() != null) {
      decode(position, offset, count, term.minus(), minus);
      lanes.subtract(target, minus, count);
    }
    if (term.weight() != 1.0f) {
      lanes.scale(target, term.weight(), count);
    }
  }

  private void decode(ChunkPosition position, int offset, int count, Operand operand, float[] target) {
    ByteBuffer bytes = operand.bytes();
    switch (operand.dtype()) {
      case BF16 -> {
        shorts(bytes).get(offset, raw, 0, count);
        lanes.widenBf16(raw, count, target);
      }
      case F16 -> {
        shorts(bytes).get(offset, raw, 0, count);
        lanes.widenF16(raw, count, target);
      }
      case F32 -> floats(bytes).get(offset, target, 0, count);
      default -> throw new IllegalArgumentException("Cannot merge dtype " + operand.dtype());
    }
    if (!allowNonFinite) {
      int bad = lanes.firstNotBelow(target, count, Float.POSITIVE_INFINITY);
      if (bad >= 0) {
        throw new InvalidInputException(operand.file() + ": " + position.describe(offset + bad) + " is "
            + target[bad] + " (use --allow-nonfinite to merge non-finite values)");
      }
    }
  }

  private void encode(ChunkPosition position, int offset, int count, DType outType, ByteBuffer out) {
    if (!allowNonFinite) {
      // Finite inputs can still sum past the output type's range; that is an error, not a silent infinity.
      float limit = switch (outType) {
        case BF16 -> BF16_OVERFLOW;
        case F16 -> F16_OVERFLOW;
        default -> Float.POSITIVE_INFINITY;
      };
      int bad = lanes.firstNotBelow(accumulator, count, limit);
      if (bad >= 0) {
        throw new InvalidInputException(position.describe(offset + bad) + ": the merged value overflows " + outType
            + " (use --allow-nonfinite to keep infinities)");
      }
    }
    switch (outType) {
      case BF16 -> {
        lanes.narrowBf16(accumulator, count, raw);
        shorts(out).put(offset, raw, 0, count);
      }
      case F16 -> {
        lanes.narrowF16(accumulator, count, raw);
        shorts(out).put(offset, raw, 0, count);
      }
      case F32 -> floats(out).put(offset, accumulator, 0, count);
      default -> throw new IllegalArgumentException("Cannot write merged values as " + outType);
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
