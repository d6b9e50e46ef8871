package io.chatvector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The local launcher as users put it on their PATH: a link to it, run from another directory. */
class LauncherIT {
  @TempDir
  Path root;

  private ChildJvm.Outcome run(String... args) throws Exception {
    Path link = root.resolve("chatvector");
    if (!Files.exists(link)) {
      Files.createSymbolicLink(link, new File("submit-scripts/chatvector").getAbsoluteFile().toPath());
    }
    List<String> command = new ArrayList<>(List.of(link.toString()));
    command.addAll(List.of(args));
    Path log = root.resolve("launcher.log");
    Process process = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!process.waitFor(120, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the launcher did not finish: " + Files.readString(log));
    }
    return new ChildJvm.Outcome(process.exitValue(), Files.readString(log));
  }

  @Test
  void runsThroughALinkFromAnyDirectoryAndKeepsExitCodes() throws Exception {
    ChildJvm.Outcome version = run("--version");
    assertEquals(0, version.code(), version.output());
    assertTrue(version.output().contains("chatvector-spark "), version.output());

    ChildJvm.Outcome absent = run("inspect", "absent");
    assertEquals(2, absent.code(), absent.output());
    assertTrue(absent.output().contains("error: file:" + root.resolve("absent")
        + ": checkpoint directory does not exist"), absent.output());
  }
}
