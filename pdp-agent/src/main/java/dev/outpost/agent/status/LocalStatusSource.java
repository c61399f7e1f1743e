package dev.outpost.agent.status;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Status from the local processes' management ports (ARCHITECTURE.md, "Status the agent reads"):
 * the runtime's {@code GET /outpost/integrations} and the gateway's {@code GET /outpost/routes}.
 * The runtime's {@code message} field is deliberately not read.
 */
public final class LocalStatusSource implements StatusSource {
  private final ManagementClient client = new ManagementClient();
  private final URI integrationsUri;
  private final GatewayRoutesReader gateway;
  /**
   * How long the runtime may not answer before its integrations are reported {@code Failed}: a few
   * status intervals, past a pause of its heap.
   */
  static final long STOPPED_AFTER_NANOS = TimeUnit.SECONDS.toNanos(15);
  /** What the runtime last answered, null before it first did. */
  private volatile IntegrationsSeen lastSeen;
  private volatile long lastAnsweredAt;
  private final LongSupplier clock;
  /** When this source was made: the runtime has had since then to answer a first time. */
  private final long createdAt;

  /**
   * @param runtimeManagement the runtime's management base URL, e.g. {@code http://127.0.0.1:9001}
   * @param gatewayRoutes the gateway's {@code /outpost/routes}, e.g. {@code
   *     http://127.0.0.1:9000/outpost/routes}; empty if none
   */
  public LocalStatusSource(URI runtimeManagement, Optional<URI> gatewayRoutes) {
    this(runtimeManagement, gatewayRoutes, System::nanoTime);
  }

  LocalStatusSource(URI runtimeManagement, Optional<URI> gatewayRoutes, LongSupplier nanoClock) {
    this.integrationsUri = runtimeManagement.resolve("/outpost/integrations");
    this.gateway = new GatewayRoutesReader(gatewayRoutes);
    this.clock = nanoClock;
    this.createdAt = nanoClock.getAsLong();
  }

  /**
   * The runtime's integrations. A runtime that does not answer is one that has not started yet, its
   * integrations {@code Pending}, or one that stopped (crashed, killed, out of memory) when it has not
   * answered for {@link #STOPPED_AFTER_NANOS}, since it last did or since the agent started: nothing
   * restarts it locally, so its integrations are {@code Failed} until it is back.
   */
  @Override
  public IntegrationsSeen integrations() {
    Optional<JsonNode> answer = client.get(integrationsUri).filter(JsonNode::isArray);
    long now = clock.getAsLong();
    if (answer.isEmpty()) {
      IntegrationsSeen last = lastSeen;
      if (last == null) {
        // a runtime that never answered since the agent started (crashed, or its port taken) is no
        // slow deploy: Pending for ever hid it
        return now - createdAt < STOPPED_AFTER_NANOS
            ? IntegrationsSeen.unreadable(ObservedIntegration.PENDING, "waiting for the integration runtime to answer at "
                + where())
            : IntegrationsSeen.unreadable(ObservedIntegration.FAILED, "the integration runtime has not answered at "
                + where() + " since the agent started");
      }
      // one slow or failed answer (a pause of its heap, a busy moment) is not a runtime gone: what it
      // last said stands for a while, so that integrations do not blink Failed and back
      return now - lastAnsweredAt < STOPPED_AFTER_NANOS ? last
          : IntegrationsSeen.unreadable(ObservedIntegration.FAILED, "the integration runtime stopped answering at " + where());
    }
    List<ObservedIntegration> result = new ArrayList<>();
    answer.get().forEach(item -> {
      String name = item.path("name").asText("");
      if (!name.isEmpty()) {
        String phase = phase(item.path("phase").asText(""));
        // a failed deploy whose previous deployment serves on: a replica serves, as a failed rollout's
        // old pods do in Kubernetes, said in fixed words (the runtime's own reason stays here)
        String version = item.path("version").asText("");
        String serving = ObservedIntegration.FAILED.equals(phase) ? item.path("servingVersion").asText("") : "";
        boolean serves = ObservedIntegration.READY.equals(phase) || !serving.isEmpty();
        result.add(new ObservedIntegration(name, version, phase, serves ? 1 : 0, 1,
            serving.isEmpty() ? null : NotReadyReason.clean(stillServes(serving, version))));
      }
    });
    IntegrationsSeen seen = IntegrationsSeen.of(result);
    lastSeen = seen;
    lastAnsweredAt = now;
    return seen;
  }

  /**
   * Who serves in a failed version's place: a changed source deployed under the version string that
   * runs failed while the deployment before it of that version serves on.
   */
  private static String stillServes(String servingVersion, String failedVersion) {
    return servingVersion.equals(failedVersion)
        ? "the previous deployment of version " + servingVersion + " still serves"
        : "version " + servingVersion + " still serves";
  }

  /** Host and port of the runtime's management port: never user information the URL may hold. */
  private String where() {
    return integrationsUri.getHost() + ":" + integrationsUri.getPort();
  }

  @Override
  public RoutesStatus routes() {
    return gateway.read();
  }

  /** Only the phases the contract defines pass through; anything else is pending. */
  static String phase(String reported) {
    return switch (reported) {
      case ObservedIntegration.DEPLOYING, ObservedIntegration.READY, ObservedIntegration.FAILED -> reported;
      default -> ObservedIntegration.PENDING;
    };
  }
}
