package io.chatvector.io;

import io.chatvector.format.TensorInfo;
import java.io.Serializable;

/** A tensor of a checkpoint and where its bytes are: the shard file and the absolute position of its data. */
public record CheckpointTensor(TensorInfo info, String file, long dataPosition) implements Serializable {
  public String name() {
    return info.name();
  }
}
