package io.chatvector.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.chatvector.ChatVectorCli;
import io.chatvector.ChatVectorCli.Result;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line gets only the subcommand it names; help and mistakes still see all of them. */
class CommandLineTest {
  private static final List<String> COMMANDS =
      List.of("extract", "merge", "inspect", "synth", "demo", "verify", "sweep", "run", "bench");

  private final ChatVectorCli cli = new ChatVectorCli(null);

  @Test
  void helpListsEveryCommandInOrder() {
    Result result = cli.run("--help");

    assertEquals(0, result.code(), result.toString());
    int previous = -1;
    for (String command : COMMANDS) {
      int at = result.out().indexOf("\n  " + command + " ");
      assertTrue(at > previous, command + " listed after the one before it:\n" + result);
      previous = at;
    }
  }

  @Test
  void aCommandsHelpIsItsOwn() {
    Result result = cli.run("merge", "--help");

    assertEquals(0, result.code(), result.toString());
    assertTrue(result.out().startsWith("Usage: chatvector merge "), result.toString());
    assertTrue(result.out().contains("--embeddings"), result.toString());
  }

  @Test
  void anUnknownOrMissingCommandIsAUsageError() {
    Result unknown = cli.run("mrege", "--cp", "x");
    Result missing = cli.run();

    assertEquals(2, unknown.code(), unknown.toString());
    assertEquals("error: Unmatched arguments from index 0: 'mrege', '--cp', 'x' (see 'chatvector --help')\n",
        unknown.err());
    assertEquals(2, missing.code(), missing.toString());
    assertEquals("error: Missing required subcommand (see 'chatvector --help')\n", missing.err());
  }
}
