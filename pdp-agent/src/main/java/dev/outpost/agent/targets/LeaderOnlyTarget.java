package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.Telemetry;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A target that writes only while this replica leads: each write first asks, so that a pass under
 * way when the Lease is lost stops at its next write (the new leader reconciles). Stopping only the
 * passes to come let an old leader go on writing and pruning while the new one applied. Reads go
 * through. The pass then ends without a verdict ({@link NoLongerLeadsException}).
 */
public final class LeaderOnlyTarget extends ForwardingTarget {
  private final BooleanSupplier leads;

  /** @param leads whether this replica still leads (and is not stopping) */
  public LeaderOnlyTarget(Target target, BooleanSupplier leads) {
    super(target);
    this.leads = leads;
  }

  private void requireLead() throws NoLongerLeadsException {
    if (!leads.getAsBoolean()) {
      throw new NoLongerLeadsException();
    }
  }

  @Override
  public boolean putIntegration(Integration integration) throws TargetException {
    requireLead();
    return super.putIntegration(integration);
  }

  @Override
  public boolean putIngestTokens(List<Integration> integrations) throws TargetException {
    requireLead();
    return super.putIngestTokens(integrations);
  }

  @Override
  public boolean putRoutes(RoutingTable routes) throws TargetException {
    requireLead();
    return super.putRoutes(routes);
  }

  @Override
  public boolean putTelemetry(Telemetry telemetry) throws TargetException {
    requireLead();
    return super.putTelemetry(telemetry);
  }

  @Override
  public boolean deleteIntegration(String name) throws TargetException {
    requireLead();
    return super.deleteIntegration(name);
  }
}
