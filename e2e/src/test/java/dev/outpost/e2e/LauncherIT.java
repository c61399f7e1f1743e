package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code ./outpost} where the machine is not as it expects. */
class LauncherIT {

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
}
