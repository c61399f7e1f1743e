package dev.outpost.e2e;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code ./outpost} where the machine is not as it expects. */
class LauncherIT {

  /**
   * A mistyped OUTPOST_HOME: deploy went to whatever control plane held the port and was told "the
   * admin bearer token is required", and it and down made the mistyped home.
   */
  @Test
  void aHomeWhereNoDataPlaneWasStartedIsSaidToBeSoAndNotMade() throws IOException {
    Path parent = Files.createTempDirectory("outpost-launcher");
    Path typo = parent.resolve("typo");
    Launcher outpost = new Launcher(Launcher.repositoryRoot(), typo, Map.of());
    Launcher.Result deploy = outpost.run(30, "deploy", "examples/public-hello.yaml");
    assertThat(deploy.exitCode()).isNotZero();
    assertThat(deploy.output()).contains("no data plane was started in " + typo);
    assertThat(outpost.run(30, "undeploy", "hello").output()).contains("no data plane was started in " + typo);
    outpost.run(30, "down");
    Launcher.Result status = outpost.run(30, "status");
    assertThat(status.exitCode()).isNotZero();
    assertThat(status.output()).contains("no data plane was started in " + typo);
    assertThat(typo).doesNotExist();

    Path file = Files.writeString(parent.resolve("a-file"), "x");
    Launcher.Result notADirectory = new Launcher(Launcher.repositoryRoot(), file, Map.of()).run(30, "status");
    assertThat(notADirectory.exitCode()).isNotZero();
    assertThat(notADirectory.output()).contains("OUTPOST_HOME=" + file + " is not a directory");
  }

  @Test
  void aBusyPortStopsUpBeforeAnythingStartsAndNamesItsHolder() throws IOException {
    Path home = Files.createTempDirectory("outpost-launcher");
    Launcher outpost = new Launcher(Launcher.repositoryRoot(), home, Map.of("OUTPOST_NO_EXAMPLES", "1"));
    // the control plane's management port, held by this test's JVM
    try (ServerSocket held = new ServerSocket()) {
      held.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 9004));
      Launcher.Result up = outpost.run(60, "up");
      assertThat(up.exitCode()).as(up.output()).isNotZero();
      assertThat(up.output()).contains("port 9004 (for dev-control-plane) is held by pid " + ProcessHandle.current().pid());
      assertThat(up.output()).as("checked before the build and before any start").doesNotContain("building", "starting");
    }
    assertThat(home.resolve("run")).as("no component was started").satisfiesAnyOf(
        run -> assertThat(run).doesNotExist(),
        run -> assertThat(Files.list(run).filter(f -> f.toString().endsWith(".pid"))).isEmpty());
  }

  @Test
  void aPortHeldByAComponentOfAnotherHomeNamesThatHomeAndHowToStopIt() throws IOException {
    // spaces: the suggested command must work pasted as printed
    Path otherHome = Files.createTempDirectory("outpost other home").toRealPath();
    Process holder = componentLookalike(9003, otherHome);
    try {
      assertThat(refusedUp().output()).contains("port 9003 (for pdp-agent) is held by an Outpost component of OUTPOST_HOME="
          + otherHome + " (pid " + holder.pid() + "): OUTPOST_HOME=" + otherHome.toString().replace(" ", "\\ ")
          + " ./outpost down, or kill " + holder.pid());
    } finally {
      stop(holder);
      Files.deleteIfExists(otherHome);
    }
  }

  @Test
  void aPortHeldByAComponentWhoseHomeWasDeletedIsToBeKilled() throws IOException {
    Path goneHome = Files.createTempDirectory("outpost-gone").toRealPath();
    Process holder = componentLookalike(9002, goneHome);
    try {
      Files.delete(goneHome);
      Launcher.Result up = refusedUp();
      assertThat(up.output()).contains("port 9002 (for observability-api) is held by an Outpost component whose OUTPOST_HOME ("
          + goneHome + ") was deleted (pid " + holder.pid() + "): kill " + holder.pid());
      assertThat(up.output()).as("no down finds it: its pid file went with its home").doesNotContain("./outpost down");
    } finally {
      stop(holder);
    }
  }

  @Test
  void aStartThatWroteNothingIsNotExplainedByAnEarlierRunsLog() throws IOException {
    Launcher.Result up = upWithADyingJava("exit 1");
    assertThat(up.exitCode()).as(up.output()).isNotZero();
    assertThat(up.output())
        .contains("dev-control-plane failed to start: it exited with status 1 without writing a line (out of disk?)")
        .doesNotContain("an earlier run's last line");
  }

  /** A killed start is said to be killed, not explained by the last line it wrote, an INFO of its start. */
  @Test
  void aStartKilledMidwayIsSaidToBeKilled() throws IOException {
    Launcher.Result up = upWithADyingJava("echo 'INFO [io.quarkus] starting'; kill -9 $$");
    assertThat(up.exitCode()).as(up.output()).isNotZero();
    assertThat(up.output())
        .contains("dev-control-plane failed to start: it was killed by SIGKILL (the kernel's out-of-memory killer, or kill -9?)")
        .doesNotContain("INFO [io.quarkus] starting").doesNotContain("an earlier run's last line");
  }

  /**
   * {@code ./outpost up} in a checkout whose jars are stand-ins (present, so nothing is built) and
   * whose java passes the version check and then runs {@code dies}.
   */
  private static Launcher.Result upWithADyingJava(String dies) throws IOException {
    Path root = Files.createTempDirectory("outpost-root");
    Files.copy(Launcher.repositoryRoot().resolve("outpost"), root.resolve("outpost"), StandardCopyOption.COPY_ATTRIBUTES);
    for (String c : List.of("observability-api", "integration-runtime", "gateway", "dev-control-plane", "pdp-agent")) {
      Path jar = root.resolve(c).resolve("target/quarkus-app/quarkus-run.jar");
      Files.createDirectories(jar.getParent());
      Files.createFile(jar);
    }
    Path bin = Files.createDirectories(root.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(java, """
        #!/usr/bin/env bash
        case " $* " in *" -XshowSettings:properties "*) echo '    java.specification.version = 17' >&2; exit 0 ;; esac
        """ + dies + "\n");
    assertThat(java.toFile().setExecutable(true)).isTrue();
    Path home = Files.createTempDirectory("outpost-launcher");
    Files.createDirectories(home.resolve("logs"));
    Files.writeString(home.resolve("logs/dev-control-plane.log"), "an earlier run's last line\n");
    return new Launcher(root, home, Map.of("OUTPOST_NO_EXAMPLES", "1", "PATH", bin + ":" + System.getenv("PATH")))
        .run(60, "up");
  }

  /** Takes 35 s: down gives a component that long after SIGTERM. */
  @Test
  void downSaysSoWhenItHadToKillAComponent() throws Exception {
    Path root = Launcher.repositoryRoot();
    Path home = Files.createTempDirectory("outpost-launcher").toRealPath();
    Files.createDirectories(home.resolve("run"));
    // the agent as down knows it (its jar on the command line, at work in this home), deaf to SIGTERM
    Process agent = new ProcessBuilder("bash", "-c", "trap '' TERM; exec -a \"java -jar $0\" sleep 600",
        root.resolve("pdp-agent/target/quarkus-app/quarkus-run.jar").toString())
        .directory(home.toFile()).start();
    try {
      Path cmdline = Path.of("/proc", Long.toString(agent.pid()), "cmdline");
      Eventually.await("the stand-in agent", Duration.ofSeconds(10), () -> {
        try {
          return Files.readString(cmdline).startsWith("java -jar ") ? Boolean.TRUE : null;
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
      Files.writeString(home.resolve("run/pdp-agent.pid"), agent.pid() + "\n");

      Launcher.Result down = new Launcher(root, home, Map.of()).run(90, "down");
      assertThat(down.exitCode()).as(down.output()).isZero();
      assertThat(down.output()).contains("killed pdp-agent (still running 35 s after SIGTERM)")
          .doesNotContain("stopped pdp-agent");
      assertThat(agent.waitFor(5, TimeUnit.SECONDS)).as("the agent ended").isTrue();
      assertThat(home.resolve("run/pdp-agent.pid")).doesNotExist();
    } finally {
      agent.destroyForcibly();
    }
  }

  /** {@code ./outpost up} on a fresh home, refused. */
  private static Launcher.Result refusedUp() throws IOException {
    Launcher outpost = new Launcher(Launcher.repositoryRoot(), Files.createTempDirectory("outpost-launcher"),
        Map.of("OUTPOST_NO_EXAMPLES", "1"));
    Launcher.Result up = outpost.run(60, "up");
    assertThat(up.exitCode()).as(up.output()).isNotZero();
    return up;
  }

  /**
   * A process that listens on {@code port} working in {@code cwd}, with a command line like a
   * component's: more than 120 characters of JVM options, then an Outpost jar.
   */
  private static Process componentLookalike(int port, Path cwd) throws IOException {
    Path dir = Files.createTempDirectory("outpost-holder");
    Path source = dir.resolve("PortHolder.java");
    Files.writeString(source, """
        import java.net.InetAddress;
        import java.net.InetSocketAddress;
        import java.net.ServerSocket;

        public class PortHolder {
          public static void main(String[] args) throws Exception {
            try (ServerSocket socket = new ServerSocket()) {
              socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), Integer.parseInt(args[0])));
              System.out.println("listening");
              // until the test ends it, or ends itself
              System.in.read();
            }
          }
        }
        """);
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dquarkus.http.host=127.0.0.1",
        "-Dquarkus.management.host=127.0.0.1", "-Doutpost.observability.ingest.host=127.0.0.1",
        source.toString(), Integer.toString(port), "-jar", "/elsewhere/target/quarkus-app/quarkus-run.jar")
        .directory(cwd.toFile()).redirectErrorStream(true).start();
    String first = new BufferedReader(new InputStreamReader(holder.getInputStream(), UTF_8)).readLine();
    Files.delete(source);
    Files.delete(dir);
    if (!"listening".equals(first)) {
      stop(holder);
      throw new AssertionError("the port holder did not start: " + first);
    }
    return holder;
  }

  private static void stop(Process process) {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
