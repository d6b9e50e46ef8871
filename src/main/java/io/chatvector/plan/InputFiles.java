package io.chatvector.plan;

import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The input files of one job, numbered as chunks refer to them; shared by the plans of a sweep, so a vector file
 * has one number across all outputs.
 */
public final class InputFiles {
  private final Map<String, Integer> indices = new LinkedHashMap<>();
  private final List<InputFile> files = new ArrayList<>();

  int indexOf(Checkpoint owner, CheckpointTensor tensor) {
    return indices.computeIfAbsent(tensor.file(), path -> {
      files.add(new InputFile(path, owner.files().get(path), owner.directory().toString()));
      return files.size() - 1;
    });
  }

  public List<InputFile> list() {
    return List.copyOf(files);
  }
}
