package dev.outpost.agent.targets;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

@EnableKubernetesMockClient(crud = true)
class DriftEventsTest {
  static final String NS = "outpost";
  KubernetesClient client;
  Instant now = Instant.parse("2026-12-06T10:00:00Z");
  long nanos = 123_456_789L;

  DriftEvents events() {
    return new DriftEvents(client, new Clock() {
      @Override public ZoneOffset getZone() { return ZoneOffset.UTC; }
      @Override public Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return now; }
    }, () -> nanos);
  }

  void elapse(Duration time) {
    now = now.plus(time);
    nanos += time.toNanos();
  }

  /** A controller fighting the agent has it correct the object every second: one event a minute, with the count. */
  @Test
  void anObjectCorrectedOverAndOverGetsOneEventAMinuteCountingTheCorrections() {
    DriftEvents events = events();
    ConfigMap routes = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("outpost-gateway-routes").withNamespace(NS).endMetadata().build()).create();
    ConfigMap other = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("int-a-0123456789").withNamespace(NS).endMetadata().build()).create();

    for (int second = 0; second < 60; second++) {
      events.corrected(routes, "data.routes.json");
      elapse(Duration.ofSeconds(1));
    }
    events.corrected(other, "metadata.labels");
    events.corrected(routes, "data.routes.json");

    List<Event> recorded = client.v1().events().inNamespace(NS).list().getItems().stream()
        .sorted(Comparator.comparing(Event::getFirstTimestamp).thenComparing(e -> e.getInvolvedObject().getName()))
        .toList();
    assertThat(recorded).extracting(e -> e.getInvolvedObject().getName() + ": " + e.getMessage()).containsExactly(
        "outpost-gateway-routes: put back data.routes.json, changed outside the agent",
        "int-a-0123456789: put back metadata.labels, changed outside the agent",
        "outpost-gateway-routes: put back data.routes.json, changed outside the agent"
            + " (60 corrections of this object since the last event)");
    assertThat(recorded).extracting(Event::getReason).containsOnly(DriftEvents.REASON);
  }

  /** NTP steps the wall clock back an hour: the next minute's correction still gets its event. */
  @Test
  void aWallClockSteppedBackDoesNotHoldEventsBack() {
    DriftEvents events = events();
    ConfigMap routes = client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder()
        .withNewMetadata().withName("outpost-gateway-routes").withNamespace(NS).endMetadata().build()).create();

    events.corrected(routes, "data.routes.json");
    now = now.minus(Duration.ofHours(1));
    elapse(Duration.ofSeconds(61));
    events.corrected(routes, "data.routes.json");

    assertThat(client.v1().events().inNamespace(NS).list().getItems()).hasSize(2);
  }
}
