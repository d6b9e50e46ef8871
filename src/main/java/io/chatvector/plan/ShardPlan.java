package io.chatvector.plan;

import io.chatvector.format.TensorInfo;
import java.io.Serializable;
import java.util.List;

/**
 * One output file: its name, its complete header (with the 8 length bytes), the tensors it holds and their
 * chunks, in file order.
 */
public record ShardPlan(int index, String fileName, byte[] header, List<TensorInfo> tensors, List<Chunk> chunks,
    long fileLength)
    implements Serializable {
}
