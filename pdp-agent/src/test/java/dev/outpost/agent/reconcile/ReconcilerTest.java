package dev.outpost.agent.reconcile;

import static dev.outpost.agent.TestStates.integration;
import static dev.outpost.agent.TestStates.state;
import static dev.outpost.agent.TestStates.withSecret;
import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.targets.ForwardingTarget;
import dev.outpost.agent.targets.LocalTarget;
import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconcilerTest {
  @TempDir Path home;

  /** The real local target, recording the order of writes. */
  static final class Recording extends ForwardingTarget {
    final List<String> writes = new ArrayList<>();

    Recording(Target delegate) {
      super(delegate);
    }

    @Override
    public boolean putIntegration(Integration i) throws TargetException {
      writes.add("put " + i.name());
      return super.putIntegration(i);
    }

    @Override
    public boolean putRoutes(RoutingTable r) throws TargetException {
      writes.add("routes " + r.revision());
      return super.putRoutes(r);
    }

    @Override
    public boolean putTelemetry(dev.outpost.spec.model.Telemetry t) throws TargetException {
      writes.add("telemetry " + t.logsRetentionDays() + "/" + t.tracesRetentionDays());
      return super.putTelemetry(t);
    }

    @Override
    public boolean deleteIntegration(String name) throws TargetException {
      writes.add("delete " + name);
      return super.deleteIntegration(name);
    }
  }

  Path file(String name) {
    return home.resolve("state/integrations/" + name + ".json");
  }

  @Test
  void appliesAStateFromEmptyIntegrationsFirst() {
    Recording target = new Recording(new LocalTarget(home));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    ReconcileResult result = reconciler.reconcile(state(1, "a", "b"));

    assertThat(result.succeeded()).isTrue();
    assertThat(result.changes()).isEqualTo(4);
    assertThat(target.writes).containsExactly("put a", "put b", "routes 1", "telemetry 7/7");
    assertThat(file("a")).exists();
    assertThat(reconciler.status().lastAppliedRevision()).isEqualTo(1);
    assertThat(reconciler.status().ready()).isTrue();
  }

  @Test
  void theSameStateTwiceChangesNothing() {
    Reconciler reconciler = new Reconciler(new LocalTarget(home), Clock.systemUTC());
    reconciler.reconcile(state(1, "a", "b"));
    ReconcileResult again = reconciler.reconcile(state(1, "a", "b"));
    assertThat(again.succeeded()).isTrue();
    assertThat(again.changes()).isZero();
  }

  @Test
  void prunesWhatIsNoLongerDesiredAfterTheRoutesNoLongerPointAtIt() throws Exception {
    Recording target = new Recording(new LocalTarget(home));
    Reconciler reconciler = new Reconciler(target, Clock.systemUTC());
    reconciler.reconcile(state(1, "a", "b"));
    target.writes.clear();

    ReconcileResult result = reconciler.reconcile(state(2, "a"));
    assertThat(result.succeeded()).isTrue();
    assertThat(target.writes).containsExactly("put a", "routes 2", "telemetry 7/7", "delete b");
    assertThat(file("b")).doesNotExist();
    assertThat(Files.readString(home.resolve("state/routes.json"))).doesNotContain("r-b");
  }

  @Test
  void stopsAtAMissingSecretWithoutWritingAnything() throws Exception {
    Reconciler reconciler = new Reconciler(new LocalTarget(home), Clock.systemUTC());
    reconciler.reconcile(state(1, "a"));
    String routesBefore = Files.readString(home.resolve("state/routes.json"));

    ReconcileResult result = reconciler.reconcile(state(2, withSecret(integration("a", "v2"), "crm", "token")));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.failedStep()).isEqualTo("check-secrets");
    assertThat(result.message()).contains("crm/token");
    assertThat(Files.readString(home.resolve("state/routes.json"))).isEqualTo(routesBefore);
    assertThat(Files.readString(file("a"))).contains("\"version\" : \"v1\"");
    ReconcileStatus status = reconciler.status();
    assertThat(status.lastAppliedRevision()).isEqualTo(1);
    assertThat(status.lastAttemptedRevision()).isEqualTo(2);
    assertThat(status.ready()).isFalse();

    Files.createDirectories(home.resolve("secrets/crm"));
    Files.writeString(home.resolve("secrets/crm/token"), "value");
    assertThat(reconciler.reconcile(state(2, withSecret(integration("a", "v2"), "crm", "token"))).succeeded()).isTrue();
    assertThat(reconciler.status().lastAppliedRevision()).isEqualTo(2);
    assertThat(Files.readString(file("a"))).contains("\"version\" : \"v2\"").doesNotContain("value");
  }

  @Test
  void correctsDriftOfTheStateDirectory() throws Exception {
    Reconciler reconciler = new Reconciler(new LocalTarget(home), Clock.systemUTC());
    reconciler.reconcile(state(1, "a"));
    String original = Files.readString(file("a"));
    Files.writeString(file("a"), "{\"tampered\":true}");
    Files.delete(home.resolve("state/routes.json"));
    Files.writeString(file("intruder"), "{}");

    ReconcileResult result = reconciler.reconcile(state(1, "a"));
    assertThat(result.changes()).isEqualTo(3);
    assertThat(Files.readString(file("a"))).isEqualTo(original);
    assertThat(home.resolve("state/routes.json")).exists();
    assertThat(file("intruder")).doesNotExist();
  }
}
