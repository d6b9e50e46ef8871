package io.chatvector.plan;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Several merges that share their vector, planned to read it once: one plan per output, and groups of chunks
 * (the tasks) that take a run of tensors and, chunk by chunk, compute it for every output in turn, so each vector
 * chunk is read once and reused while it is in memory.
 */
public record SweepPlan(List<InputFile> inputs, List<MergePlan> outputs, List<Group> groups) {

  /** The chunks one task computes, in the order that keeps each vector chunk in memory across outputs. */
  public record Group(int index, List<PlacedChunk> chunks) implements Serializable {
  }

  public static SweepPlan of(InputFiles files, List<MergePlan> outputs, long groupBytes) {
    List<Map<String, List<PlacedChunk>>> byTensor = new ArrayList<>();
    Set<String> tensorOrder = new LinkedHashSet<>();
    for (int output = 0; output < outputs.size(); output++) {
      Map<String, List<PlacedChunk>> chunks = new LinkedHashMap<>();
      for (ShardPlan shard : outputs.get(output).shards()) {
        long position = shard.header().length;
        for (Chunk chunk : shard.chunks()) {
          chunks.computeIfAbsent(chunk.tensor(), name -> new ArrayList<>())
              .add(new PlacedChunk(output, shard.index(), position, chunk));
          position += chunk.outBytes();
        }
      }
      tensorOrder.addAll(chunks.keySet());
      byTensor.add(chunks);
    }
    List<Group> groups = new ArrayList<>();
    List<PlacedChunk> current = new ArrayList<>();
    long currentBytes = 0;
    for (String tensor : tensorOrder) {
      int longest = byTensor.stream().mapToInt(chunks -> chunks.getOrDefault(tensor, List.of()).size()).max().orElse(0);
      for (int index = 0; index < longest; index++) {
        for (Map<String, List<PlacedChunk>> chunks : byTensor) {
          List<PlacedChunk> ofTensor = chunks.getOrDefault(tensor, List.of());
          if (index < ofTensor.size()) {
            current.add(ofTensor.get(index));
            currentBytes += ofTensor.get(index).chunk().outBytes();
          }
        }
        if (currentBytes >= groupBytes) {
          groups.add(new Group(groups.size(), current));
          current = new ArrayList<>();
          currentBytes = 0;
        }
      }
    }
    if (!current.isEmpty()) {
      groups.add(new Group(groups.size(), current));
    }
    return new SweepPlan(files.list(), outputs, groups);
  }
}
