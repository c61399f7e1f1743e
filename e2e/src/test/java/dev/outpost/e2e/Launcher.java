package dev.outpost.e2e;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code ./outpost} as a user would, against its own {@code OUTPOST_HOME}, so the suite
 * exercises the launcher and the packaged components exactly as the README describes them.
 */
final class Launcher {

  /** What one command printed, and how it ended. */
  record Result(int exitCode, String output) {
    Result expectSuccess(String what) {
      if (exitCode != 0) {
        throw new AssertionError(what + " exited " + exitCode + ":\n" + output);
      }
      return this;
    }
  }

  private final Path root;
  private final Path home;
  private final Map<String, String> extraEnv;

  Launcher(Path root, Path home, Map<String, String> extraEnv) {
    this.root = root;
    this.home = home;
    this.extraEnv = Map.copyOf(extraEnv);
  }

  static Path repositoryRoot() {
    String fromMaven = System.getProperty("outpost.root");
    Path root = fromMaven != null ? Path.of(fromMaven) : Path.of("..").toAbsolutePath().normalize();
    if (!Files.isExecutable(root.resolve("outpost"))) {
      throw new IllegalStateException("no ./outpost launcher under " + root);
    }
    return root;
  }

  Path home() {
    return home;
  }

  Result run(String... args) {
    return run(180, args);
  }

  Result run(int timeoutSeconds, String... args) {
    return run(timeoutSeconds, null, args);
  }

  /** Runs a command that reads {@code input} as its standard input. */
  Result runWithInput(int timeoutSeconds, Path input, String... args) {
    return run(timeoutSeconds, input, args);
  }

  private Result run(int timeoutSeconds, Path input, String... args) {
    List<String> command = new ArrayList<>();
    command.add(root.resolve("outpost").toString());
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command).directory(root.toFile()).redirectErrorStream(true);
    builder.environment().put("OUTPOST_HOME", home.toString());
    builder.environment().putAll(extraEnv);
    if (input != null) {
      builder.redirectInput(input.toFile());
    }
    try {
      Path log = Files.createTempFile("outpost-cmd", ".log");
      Process process = builder.redirectOutput(log.toFile()).start();
      if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("./outpost " + String.join(" ", args) + " did not finish in "
            + timeoutSeconds + " s:\n" + Files.readString(log));
      }
      String output = Files.readString(log, StandardCharsets.UTF_8);
      Files.deleteIfExists(log);
      return new Result(process.exitValue(), output);
    } catch (IOException e) {
      throw new AssertionError("cannot run ./outpost", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** The tail of a component's log, for failure messages. */
  String logOf(String component) {
    return run(30, "logs", component).output();
  }
}
