package io.chatvector.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChildJvm;
import io.chatvector.format.DType;
import io.chatvector.format.Floats;
import io.chatvector.format.ReferenceRounding;
import io.chatvector.io.Checkpoint;
import io.chatvector.io.CheckpointTensor;
import io.chatvector.synth.FamilyGenerator;
import io.chatvector.synth.LlamaShape;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.URI;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Memory is bounded by the chunk size, not the tensor size: a JVM with a 512 MiB heap merges a Llama-shaped
 * model whose embeddings and lm_head are 614 MB each.
 */
class LargerThanHeapTest {
  private static final long VOCAB = 150_000;
  private static final long HIDDEN = 2048;

  @TempDir
  Path root;

  @Test
  void mergesATensorLargerThanTheHeap() throws Exception {
    LlamaShape shape = new LlamaShape(1, HIDDEN, 256, VOCAB, 32, 32);
    new FamilyGenerator(shape, DType.BF16, 0, 5, 5_000_000_000L).writeFamily(root.toString(), new Configuration());
    long embedBytes = VOCAB * HIDDEN * 2;
    assertTrue(embedBytes > 512L * 1024 * 1024);

    Path merged = root.resolve("merged");
    ChildJvm.Outcome outcome = ChildJvm.run("512m", root.resolve("merge.log"), 600,
        "merge", "--cp", root.resolve("cp").toString(), "--base", root.resolve("base").toString(),
        "--chat", root.resolve("chat").toString(), "--ratio", "0.5", "--out", merged.toString());
    assertEquals(0, outcome.code(), outcome.output());
    assertTrue(outcome.output().contains("merge complete"), outcome.output());

    Configuration conf = new Configuration();
    CheckpointTensor[] embed = new CheckpointTensor[4];
    String[] models = {"cp", "base", "chat", "merged"};
    for (int m = 0; m < models.length; m++) {
      embed[m] = Checkpoint.open(root.resolve(models[m]).toString(), conf).tensor("model.embed_tokens.weight");
    }
    assertEquals(embedBytes, embed[3].info().byteLength());
    SplittableRandom random = new SplittableRandom(1);
    for (int sample = 0; sample < 2000; sample++) {
      long element = sample == 0 ? VOCAB * HIDDEN - 1 : random.nextLong(VOCAB * HIDDEN);
      float cp = bf16At(embed[0], element);
      float delta = bf16At(embed[2], element) - bf16At(embed[1], element);
      int expected = ReferenceRounding.bf16(cp + 0.5f * delta);
      assertEquals(expected, Floats.f32ToBf16(bf16At(embed[3], element)) & 0xFFFF, "element " + element);
    }
  }

  private static float bf16At(CheckpointTensor tensor, long element) throws IOException {
    try (RandomAccessFile file = new RandomAccessFile(Path.of(URI.create(tensor.file())).toFile(), "r")) {
      file.seek(tensor.dataPosition() + 2 * element);
      int low = file.read();
      int high = file.read();
      return Floats.bf16ToF32((short) (low | high << 8));
    }
  }
}
