package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** A target every call goes to, for a target that holds, refuses or records some of them ({@link LeaderOnlyTarget}, tests). */
public abstract class ForwardingTarget implements Target {
  protected final Target target;

  protected ForwardingTarget(Target target) {
    this.target = target;
  }

  @Override
  public void refresh() throws TargetException {
    target.refresh();
  }

  @Override
  public Set<String> integrations() throws TargetException {
    return target.integrations();
  }

  @Override
  public List<SecretRef> missingSecrets(Collection<SecretRef> refs) throws TargetException {
    return target.missingSecrets(refs);
  }

  @Override
  public boolean putIntegration(Integration integration) throws TargetException {
    return target.putIntegration(integration);
  }

  @Override
  public boolean putIngestTokens(List<Integration> integrations) throws TargetException {
    return target.putIngestTokens(integrations);
  }

  @Override
  public boolean putRoutes(RoutingTable routes) throws TargetException {
    return target.putRoutes(routes);
  }

  @Override
  public boolean isolatesIntegrations() {
    return target.isolatesIntegrations();
  }

  @Override
  public Optional<String> projectOf(String integration) throws TargetException {
    return target.projectOf(integration);
  }

  @Override
  public Optional<RoutingTable> routes() throws TargetException {
    return target.routes();
  }

  @Override
  public boolean putTelemetry(Telemetry telemetry) throws TargetException {
    return target.putTelemetry(telemetry);
  }

  @Override
  public boolean deleteIntegration(String name) throws TargetException {
    return target.deleteIntegration(name);
  }
}
