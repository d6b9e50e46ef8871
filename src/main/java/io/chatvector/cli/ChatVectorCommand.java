package io.chatvector.cli;

import picocli.CommandLine.Command;

@Command(name = "chatvector", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Extract chat vectors (chat - base) and merge them into continually pre-trained models, "
        + "as a Spark job.",
    subcommands = {ExtractCommand.class, MergeCommand.class, InspectCommand.class, SynthCommand.class,
        DemoCommand.class, VerifyCommand.class, SweepCommand.class, RunCommand.class, BenchCommand.class})
final class ChatVectorCommand {
  SparkContexts contexts;

  ChatVectorCommand(SparkContexts contexts) {
    this.contexts = contexts;
  }
}
