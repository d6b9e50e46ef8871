package io.chatvector.cli;

import io.chatvector.InvalidInputException;
import java.io.PrintWriter;
import picocli.CommandLine;

/**
 * Entry point for the launcher and spark-submit. Exit codes: 0 success; 2 bad input or usage, with one
 * {@code error:} line naming the file, tensor and problem; 1 any other failure.
 */
public final class Main {
  public static final int BAD_INPUT = 2;
  public static final int FAILURE = 1;

  private Main() {
  }

  public static void main(String[] args) {
    SparkPreload.startFor(args);
    System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err) {
    return run(args, out, err, SparkContexts.perCommand());
  }

  public static int run(String[] args, PrintWriter out, PrintWriter err, SparkContexts contexts) {
    CommandLine commandLine = parser(contexts, args)
        .setOut(out)
        .setErr(err)
        .setParameterExceptionHandler((e, parsedArgs) -> {
          String command = e.getCommandLine().getCommandName();
          err.println("error: " + oneLine(e.getMessage()) + " (see 'chatvector "
              + (command.equals("chatvector") ? "" : command + " ") + "--help')");
          return BAD_INPUT;
        })
        .setExecutionExceptionHandler((e, cmd, parsed) -> report(e, err));
    return commandLine.execute(args);
  }

  /** The command line model for {@code args}, as parsed for running and for checking specs. */
  static CommandLine parser(SparkContexts contexts, String... args) {
    return ChatVectorCommand.commandLine(contexts, args).setCaseInsensitiveEnumValuesAllowed(true);
  }

  private static int report(Exception e, PrintWriter err) {
    InvalidInputException invalid = find(e, InvalidInputException.class);
    IllegalArgumentException badOption = find(e, IllegalArgumentException.class);
    if (System.getenv("CHATVECTOR_DEBUG") != null) {
      e.printStackTrace(err);
    }
    if (invalid != null) {
      err.println("error: " + oneLine(invalid.getMessage()));
      return BAD_INPUT;
    }
    if (badOption != null && badOption.getMessage() != null && badOption.getMessage().startsWith("Cannot")) {
      err.println("error: " + oneLine(badOption.getMessage()));
      return BAD_INPUT;
    }
    String storageProblem = StorageErrors.describe(e);
    if (storageProblem != null) {
      err.println("error: " + oneLine(storageProblem));
      return BAD_INPUT;
    }
    java.io.IOException io = find(e, java.io.IOException.class);
    if (io != null) {
      err.println("error: storage failure: " + oneLine(io.getMessage()));
      return FAILURE;
    }
    Throwable root = e;
    while (root.getCause() != null && root.getMessage() == null) {
      root = root.getCause();
    }
    err.println("error: " + oneLine(root.getClass().getSimpleName() + ": " + root.getMessage())
        + " (set CHATVECTOR_DEBUG=1 for the stack trace)");
    return FAILURE;
  }

  /** Executor failures arrive wrapped in Spark's exceptions; the cause chain still holds ours. */
  static <T extends Throwable> T find(Throwable e, Class<T> type) {
    for (Throwable cause = e; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }

  private static String oneLine(String message) {
    String text = String.valueOf(message).strip();
    int newline = text.indexOf('\n');
    return newline < 0 ? text : text.substring(0, newline).strip();
  }
}
