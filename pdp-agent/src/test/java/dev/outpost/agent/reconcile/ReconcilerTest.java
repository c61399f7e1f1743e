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
import io.fabric8.kubernetes.client.KubernetesClientException;
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

  /** A target whose write of integration "b" fails as the API server answered {@code code}. */
  static final class Refusing extends ForwardingTarget {
    private final int code;

    Refusing(Target delegate, int code) {
      super(delegate);
      this.code = code;
    }

    @Override
    public boolean putIntegration(Integration i) throws TargetException {
      if (i.name().equals("b")) {
        KubernetesClientException refused = code == 0
            ? new KubernetesClientException("connection reset", new java.net.SocketException("Connection reset"))
            : new KubernetesClientException("refused", code, null);
        throw new TargetException("cannot write Deployment int-b: " + refused.getMessage(), refused);
      }
      return super.putIntegration(i);
    }
  }

  /**
   * What may pass if tried again (the API server busy, unreachable, in conflict) is told apart from
   * what fails again the same way (the object refused for what it is): only the first is retried,
   * as each retry rolls the integrations written before the failure out and back.
   */
  @Test
  void aFailureIsTransientWhenTheSameWriteMayPassLater() {
    for (int code : new int[] {0, 408, 409, 429, 500, 503}) {
      ReconcileResult result = new Reconciler(new Refusing(new LocalTarget(home), code), Clock.systemUTC())
          .reconcile(state(1, "a", "b"));
      assertThat(result.succeeded()).isFalse();
      assertThat(result.failedStep()).isEqualTo("apply-integrations");
      assertThat(result.transientFailure()).as("HTTP %d", code).isTrue();
    }
    for (int code : new int[] {400, 403, 404, 422}) {
      ReconcileResult result = new Reconciler(new Refusing(new LocalTarget(home), code), Clock.systemUTC())
          .reconcile(state(1, "a", "b"));
      assertThat(result.succeeded()).isFalse();
      assertThat(result.transientFailure()).as("HTTP %d", code).isFalse();
    }
    // a store wraps the API server's refusal in an IOException: the refusal decides, not the wrapper
    assertThat(TransientFailure.ofWrite(new java.io.IOException("cannot write Secret outpost-agent-applied",
        new KubernetesClientException("denied by the admission webhook", 403, null)))).isFalse();
    assertThat(TransientFailure.ofWrite(new java.io.IOException("cannot write Secret outpost-agent-applied",
        new KubernetesClientException("etcd leader changed", 500, null)))).isTrue();
    assertThat(TransientFailure.ofWrite(new java.io.IOException("No space left on device"))).isTrue();
    // a step that only reads changed nothing: trying it again costs nothing, and a Secret may come
    ReconcileResult missing = new Reconciler(new LocalTarget(home), Clock.systemUTC())
        .reconcile(state(2, withSecret(integration("a", "v2"), "crm", "token")));
    assertThat(missing.failedStep()).isEqualTo("check-secrets");
    assertThat(missing.transientFailure()).isTrue();
  }

  @Test
  void stopsAtAMissingSecretWithoutWritingAnything() throws Exception {
    Reconciler reconciler = new Reconciler(new LocalTarget(home), Clock.systemUTC());
    reconciler.reconcile(state(1, "a"));
    String routesBefore = Files.readString(home.resolve("state/routes.json"));

    ReconcileResult result = reconciler.reconcile(state(2, withSecret(integration("a", "v2"), "crm", "token")));
    assertThat(result.succeeded()).isFalse();
    assertThat(result.failedStep()).isEqualTo("check-secrets");
    // whoever deploys learns which integration needs it: on a shared data plane it may not be theirs
    assertThat(result.message()).contains("crm/token (integration a)");
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

  /**
   * A secret deleted after its revision was applied: the resync says so, and still puts back what
   * else was changed (it stopped at the check, and a deleted routes file stayed deleted).
   */
  @Test
  void aCorrectionPutsBackTheRestWhenASecretWentMissing() throws Exception {
    Files.createDirectories(home.resolve("secrets/crm"));
    Files.writeString(home.resolve("secrets/crm/token"), "value");
    Reconciler reconciler = new Reconciler(new LocalTarget(home), Clock.systemUTC());
    dev.outpost.spec.model.DataPlaneState applied = state(1, withSecret(integration("a", "v1"), "crm", "token"));
    assertThat(reconciler.reconcile(applied).succeeded()).isTrue();
    String routes = Files.readString(home.resolve("state/routes.json"));

    Files.delete(home.resolve("secrets/crm/token"));
    Files.delete(home.resolve("state/routes.json"));
    ReconcileResult corrected = reconciler.correct(applied);

    assertThat(corrected.succeeded()).isFalse();
    assertThat(corrected.failedStep()).isEqualTo("check-secrets");
    assertThat(corrected.message()).contains("crm/token");
    assertThat(Files.readString(home.resolve("state/routes.json"))).isEqualTo(routes);
    // a new revision still stops at the check, writing nothing
    Files.delete(home.resolve("state/routes.json"));
    assertThat(reconciler.reconcile(state(2, withSecret(integration("a", "v2"), "crm", "token"))).failedStep())
        .isEqualTo("check-secrets");
    assertThat(home.resolve("state/routes.json")).doesNotExist();
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
