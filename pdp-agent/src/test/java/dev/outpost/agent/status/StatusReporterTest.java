package dev.outpost.agent.status;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.outpost.spec.protocol.Status;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The status of each integration is of the version the state asks for. */
class StatusReporterTest {

  HttpServer runtime;

  @AfterEach
  void stop() {
    runtime.stop(0);
  }

  /**
   * Right after the ack the local runtime still serves the old version (it loads the new file a
   * moment later), or keeps one the admin API gave it: Ready at the old version read as the upgrade
   * done. A file the runtime refused outright names no version: it is the asked one that failed.
   */
  @Test
  void anIntegrationServingAnotherVersionThanTheStatesIsDeploying() throws Exception {
    runtime = LocalStatusSourceTest.serve("/outpost/integrations", """
        [{"name":"orders","project":"shop","version":"v2","phase":"Ready"},
         {"name":"billing","project":"shop","version":null,"phase":"Failed"},
         {"name":"audit","project":"shop","version":"v1","phase":"Ready"}]""");
    StatusReporter reporter = new StatusReporter("dp-1",
        new LocalStatusSource(LocalStatusSourceTest.uri(runtime), Optional.empty()), Clock.systemUTC());

    Status status = reporter.observe(state(7, integration("orders", "v3"), integration("billing", "v4"),
        integration("audit", "v1")), 7, 7);

    assertThat(status.integrations()).extracting(Status.IntegrationStatus::name, Status.IntegrationStatus::version,
        Status.IntegrationStatus::phase).containsExactly(
            org.assertj.core.groups.Tuple.tuple("orders", "v3", "Deploying"),
            org.assertj.core.groups.Tuple.tuple("billing", "v4", "Failed"),
            org.assertj.core.groups.Tuple.tuple("audit", "v1", "Ready"));
    assertThat(status.integrations().get(0).message()).isEqualTo("version v2 serves until v3 is deployed");
    assertThat(status.integrations().get(2).message()).isNull();
  }
}
