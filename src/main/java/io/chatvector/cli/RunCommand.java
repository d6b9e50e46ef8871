package io.chatvector.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.chatvector.InvalidInputException;
import io.chatvector.io.Storage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.hadoop.fs.Path;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "run", mixinStandardHelpOptions = true,
    description = {"Run a job described in a YAML or JSON spec.",
        "'command' names the command, every other key one of its options (max_shard_size or max-shard-size for "
            + "--max-shard-size; a list for a repeatable option; vectors as DIR:WEIGHT or {path, weight}; conf as a "
            + "map). --master and --conf here add to the spec's. The whole spec is checked before anything runs."})
final class RunCommand implements Callable<Integer> {
  private static final List<String> JOBS = List.of("extract", "merge", "sweep", "verify", "inspect", "synth");

  @Parameters(paramLabel = "SPEC", description = "The spec file (local path or URI).")
  String specFile;

  @Mixin
  SparkOptions spark;

  @Spec
  CommandSpec spec;

  @ParentCommand
  ChatVectorCommand root;

  @Override
  public Integer call() throws IOException {
    JsonNode document = read();
    String command = command(document);
    CommandLine jobs = Main.parser(root.contexts, command);
    String[] args = arguments(document, jobs.getSubcommands().get(command).getCommandSpec());
    try {
      jobs.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new InvalidInputException(specFile + ": " + inKeys(e.getMessage()));
    }
    return Main.run(args, spec.commandLine().getOut(), spec.commandLine().getErr(), root.contexts);
  }

  private JsonNode read() throws IOException {
    org.apache.hadoop.conf.Configuration conf = spark.hadoopConf("run");
    Path path = Storage.qualify(specFile, conf);
    ObjectMapper mapper = specFile.endsWith(".json") ? new ObjectMapper() : new ObjectMapper(new YAMLFactory());
    try (InputStream in = Storage.fileSystem(path, conf).open(path)) {
      JsonNode document = mapper.readTree(in);
      if (document == null || !document.isObject()) {
        throw new InvalidInputException(specFile + ": a spec is a map of keys to values");
      }
      return document;
    } catch (java.io.FileNotFoundException e) {
      throw new InvalidInputException(specFile + ": spec file does not exist");
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new InvalidInputException(specFile + ": not valid " + (specFile.endsWith(".json") ? "JSON" : "YAML")
          + ": " + e.getOriginalMessage());
    }
  }

  private String command(JsonNode document) {
    JsonNode command = document.get("command");
    if (command == null || !command.isTextual() || !JOBS.contains(command.asText())) {
      throw new InvalidInputException(specFile + ": key 'command' must be one of " + JOBS);
    }
    return command.asText();
  }

  /** The command line the spec stands for, each key checked against the command's own options. */
  private String[] arguments(JsonNode document, CommandSpec job) {
    List<String> args = new ArrayList<>(List.of(job.name()));
    for (Iterator<Map.Entry<String, JsonNode>> fields = document.fields(); fields.hasNext(); ) {
      Map.Entry<String, JsonNode> field = fields.next();
      if (!field.getKey().equals("command")) {
        addOption(job, field.getKey(), field.getValue(), args);
      }
    }
    if (spark.master != null) {
      args.addAll(List.of("--master", spark.master));
    }
    spark.conf.forEach((key, value) -> args.addAll(List.of("--conf", key + "=" + value)));
    return args.toArray(String[]::new);
  }

  private void addOption(CommandSpec job, String key, JsonNode value, List<String> args) {
    if (key.equals("path") && job.positionalParameters().size() == 1) {
      args.add(scalar(key, value));
      return;
    }
    OptionSpec option = option(job, key);
    if (option.typeInfo().isBoolean()) {
      if (!value.isBoolean()) {
        throw new InvalidInputException(specFile + ": key '" + key + "' takes true or false, not " + value);
      }
      if (value.asBoolean()) {
        args.add(option.longestName());
      }
      return;
    }
    List<String> values = new ArrayList<>();
    if (option.typeInfo().isMap()) {
      if (!value.isObject()) {
        throw new InvalidInputException(specFile + ": key '" + key + "' takes a map of settings");
      }
      value.fields().forEachRemaining(entry -> values.add(entry.getKey() + "=" + scalar(key, entry.getValue())));
    } else if (value.isArray()) {
      if (!option.isMultiValue()) {
        throw new InvalidInputException(specFile + ": key '" + key + "' takes one value, not a list");
      }
      value.forEach(item -> values.add(item.isObject() ? weighted(key, item) : scalar(key, item)));
    } else {
      values.add(value.isObject() ? weighted(key, value) : scalar(key, value));
    }
    for (String single : values) {
      args.addAll(List.of(option.longestName(), single));
    }
  }

  /** The option a key names: --max-shard-size for max_shard_size or max-shard-size; --vector for vectors. */
  private OptionSpec option(CommandSpec job, String key) {
    String name = "--" + key.toLowerCase(Locale.ROOT).replace('_', '-');
    OptionSpec option = job.findOption(name);
    if (option == null && name.endsWith("s")) {
      option = job.findOption(name.substring(0, name.length() - 1));
    }
    if (option == null || option.longestName().equals("--help") || option.longestName().equals("--version")) {
      List<String> known = job.options().stream().map(o -> o.longestName().substring(2).replace('-', '_'))
          .filter(o -> !o.equals("help") && !o.equals("version")).sorted().toList();
      throw new InvalidInputException(specFile + ": unknown key '" + key + "' for " + job.name() + " (keys: "
          + String.join(", ", known) + ")");
    }
    return option;
  }

  private String scalar(String key, JsonNode value) {
    if (!value.isValueNode() || value.isNull()) {
      throw new InvalidInputException(specFile + ": key '" + key + "' takes a value, not " + value);
    }
    return value.asText();
  }

  /** {path: DIR, weight: W} as DIR:W. */
  private String weighted(String key, JsonNode item) {
    JsonNode path = item.get("path");
    JsonNode weight = item.get("weight");
    if (path == null || !path.isTextual() || item.size() > (weight == null ? 1 : 2)
        || (weight != null && !weight.isNumber())) {
      throw new InvalidInputException(specFile + ": key '" + key + "' takes DIR:WEIGHT or {path: DIR, weight: W}, "
          + "not " + item);
    }
    return weight == null ? path.asText() : path.asText() + ":" + weight.asText();
  }

  /** Picocli names options ('--max-shard-size=SIZE'); a spec's reader knows keys ('max_shard_size'). */
  private static String inKeys(String message) {
    java.util.regex.Matcher option = java.util.regex.Pattern.compile("'--([a-z][a-z-]*)(=[^']*)?'").matcher(message);
    StringBuilder text = new StringBuilder();
    while (option.find()) {
      option.appendReplacement(text, "'" + option.group(1).replace('-', '_') + "'");
    }
    option.appendTail(text);
    return text.toString().replace("Missing required options", "missing keys")
        .replace("Missing required option", "missing key").replace("for option", "for key");
  }
}
