package io.chatvector.cli;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;

@Command(name = "chatvector", mixinStandardHelpOptions = true, versionProvider = Version.class,
    description = "Extract chat vectors (chat - base) and merge them into continually pre-trained models, "
        + "as a Spark job.")
final class ChatVectorCommand {
  /**
   * The subcommands, in the order help lists them. Picocli reads a command's annotations by reflection when it is
   * added, so a command line gets only the one it names (all of them when it names none, for help and mistakes):
   * measured at a cold start, a quarter of a second less CPU before a command can begin.
   */
  private static final Map<String, Supplier<Object>> COMMANDS = new LinkedHashMap<>();

  static {
    // Else picocli's first command line looks for Groovy's closure class, a search of the whole class path: with
    // Spark's and Hadoop's jars, 60 ms of a core at every start.
    System.setProperty(CommandLine.class.getPackageName() + ".disable.closures", "true");
    COMMANDS.put("extract", ExtractCommand::new);
    COMMANDS.put("merge", MergeCommand::new);
    COMMANDS.put("inspect", InspectCommand::new);
    COMMANDS.put("synth", SynthCommand::new);
    COMMANDS.put("demo", DemoCommand::new);
    COMMANDS.put("verify", VerifyCommand::new);
    COMMANDS.put("sweep", SweepCommand::new);
    COMMANDS.put("run", RunCommand::new);
    COMMANDS.put("bench", BenchCommand::new);
  }

  SparkContexts contexts;

  ChatVectorCommand(SparkContexts contexts) {
    this.contexts = contexts;
  }

  /** The command line for {@code args}: the root and the subcommand its first argument names, or every one. */
  static CommandLine commandLine(SparkContexts contexts, String... args) {
    CommandLine root = new CommandLine(new ChatVectorCommand(contexts));
    String named = args.length > 0 && COMMANDS.containsKey(args[0]) ? args[0] : null;
    COMMANDS.forEach((name, command) -> {
      if (named == null || named.equals(name)) {
        root.addSubcommand(name, command.get());
      }
    });
    return root;
  }
}
