package dev.outpost.agent;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.util.function.ToDoubleFunction;

/**
 * The agent's state as Prometheus gauges on the management port, as Flux's controllers give theirs
 * ({@code gotk_reconcile_condition}): the chart's PodMonitor scraped the agent, and found only the
 * JVM's meters, so a control plane lost for hours or a revision failing at every pass showed in no
 * alert. Read at each scrape, never kept.
 */
@Startup
@Singleton
public class AgentMetrics {

  AgentMetrics(MeterRegistry registry, AgentRuntime runtime) {
    gauge(registry, "outpost.agent.control.plane.connected", "1 while the link to the control plane is up", runtime,
        r -> r.connected() ? 1 : 0);
    gauge(registry, "outpost.agent.applying", "1 while this replica applies desired state (the leader, or the only one)",
        runtime, r -> r.applying() ? 1 : 0);
    gauge(registry, "outpost.agent.enforced.revision", "the revision this replica enforces, 0 for none", runtime,
        r -> r.keeper() == null ? 0 : r.keeper().lastAppliedRevision());
    // a refused (nacked) revision counts too: attempted above enforced is what an alert looks for
    gauge(registry, "outpost.agent.attempted.revision", "the newest revision decided on (applied, refused or failed)",
        runtime, r -> r.keeper() == null ? 0 : r.keeper().lastAttemptedRevision());
    gauge(registry, "outpost.agent.apply.retry.pending",
        "1 while the newest revision's apply failed and is to be tried again", runtime,
        r -> r.keeper() != null
            && r.keeper().applyFailure().flatMap(DesiredStateKeeper.ApplyFailure::nextAttemptAt).isPresent() ? 1 : 0);
    gauge(registry, "outpost.agent.reconcile.ready", "1 when the last pass made the target match, 0 when a step failed",
        runtime, r -> r.keeper() == null || r.keeper().reconcileStatus().ready() ? 1 : 0);
  }

  private static void gauge(MeterRegistry registry, String name, String description, AgentRuntime runtime,
      ToDoubleFunction<AgentRuntime> value) {
    Gauge.builder(name, runtime, value).description(description).strongReference(true).register(registry);
  }
}
