package io.chatvector.cli;

import io.chatvector.Sizes;
import io.chatvector.format.DType;
import io.chatvector.synth.FamilyGenerator;
import io.chatvector.synth.LlamaShape;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "synth", mixinStandardHelpOptions = true,
    description = "Generate a deterministic Llama-shaped family base/, chat/ and cp/ (cp with extra vocabulary).")
final class SynthCommand implements Callable<Integer> {
  @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where base/, chat/ and cp/ go.")
  String out;

  @Option(names = "--layers", defaultValue = "2", description = "Decoder layers (default: ${DEFAULT-VALUE}).")
  int layers;

  @Option(names = "--hidden", defaultValue = "64", description = "Hidden size (default: ${DEFAULT-VALUE}).")
  long hidden;

  @Option(names = "--intermediate", defaultValue = "172", description = "MLP size (default: ${DEFAULT-VALUE}).")
  long intermediate;

  @Option(names = "--vocab", defaultValue = "256", description = "Base vocabulary (default: ${DEFAULT-VALUE}).")
  long vocab;

  @Option(names = "--extra-vocab", defaultValue = "16",
      description = "Rows the CP adds to embed_tokens and lm_head (default: ${DEFAULT-VALUE}).")
  long extraVocab;

  @Option(names = "--heads", description = "Attention heads (default: hidden / 64, or 1).")
  Integer heads;

  @Option(names = "--kv-heads", description = "Key/value heads (default: as many as heads).")
  Integer kvHeads;

  @Option(names = "--dtype", defaultValue = "BF16", converter = Converters.OutputType.class,
      description = "F32, BF16 or F16 (default: ${DEFAULT-VALUE}).")
  DType dtype;

  @Option(names = "--seed", defaultValue = "0", description = "Seed of every value (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--max-shard-size", paramLabel = "SIZE", converter = Converters.Size.class, defaultValue = "5GB",
      description = "Shard the models above this size (default: ${DEFAULT-VALUE}).")
  long maxShardSize;

  @Option(names = "--shape", paramLabel = "SIZE",
      description = "A published Llama shape instead of the dimensions above: 1B, 3B, 7B, 8B, 70B or 405B.")
  String namedShape;

  @Option(names = "--sparse", description = "Headers only, data left as holes (zeros) in local files: for dry runs.")
  boolean sparse;

  @Mixin
  SparkOptions spark;

  @Spec
  CommandSpec spec;

  @Override
  public Integer call() throws Exception {
    int headCount = heads != null ? heads : LlamaShape.defaultHeads(hidden);
    LlamaShape shape = namedShape != null ? LlamaShape.named(namedShape)
        : new LlamaShape(layers, hidden, intermediate, vocab, headCount, kvHeads != null ? kvHeads : headCount);
    new FamilyGenerator(shape, dtype, extraVocab, seed, maxShardSize, sparse)
        .writeFamily(out, spark.hadoopConf("synth"));
    spec.commandLine().getOut().printf("synth complete: %s/{base,chat,cp}, %,d parameters each (cp %,d), %s each%n",
        out, shape.parameters(0), shape.parameters(extraVocab), Sizes.format(shape.parameters(0) * dtype.bits() / 8));
    spec.commandLine().getOut().flush();
    return 0;
  }
}
