package io.chatvector.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** What is added to a CP model: stored vectors with weights, or a base and a chat model (the fused form). */
final class TermOptions {
  @Option(names = "--vector", paramLabel = "DIR[:WEIGHT]",
      description = "A chat vector made by extract, with its weight (default 1.0). Repeatable.")
  List<String> vectors = new ArrayList<>();

  @Option(names = "--base", paramLabel = "DIR", description = "Fused form: the base model.")
  String base;

  @Option(names = "--chat", paramLabel = "DIR", description = "Fused form: the chat model.")
  String chat;
}
