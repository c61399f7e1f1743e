package dev.outpost.agent.targets;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Where desired state lands: the files the gateway and the runtime watch, or the objects they read
 * in Kubernetes (ARCHITECTURE.md, "Where the agent writes desired state").
 *
 * <p>Every write is idempotent: putting what is already there changes nothing and returns {@code
 * false}, and putting something that drifted from what was written restores it. A reader never sees
 * a half-written document. Implementations never write secret values: they only check that the
 * referenced secrets exist in the data plane's own store. Methods are called from one thread at a
 * time (the reconciler's).
 */
public interface Target {

  /**
   * Called at the start of every reconciliation: an implementation may read the whole current
   * state here once, and answer the calls of that reconciliation from it. By default, nothing.
   */
  default void refresh() throws TargetException {}

  /**
   * The integrations this agent has written and not yet deleted: the inventory that drives
   * pruning. Anything not written by the agent is never listed.
   */
  Set<String> integrations() throws TargetException;

  /** The references, among {@code refs}, whose secret or key does not exist in the data plane. */
  List<SecretRef> missingSecrets(Collection<SecretRef> refs) throws TargetException;

  /**
   * Makes the integration run as given.
   *
   * @return whether anything had to change
   */
  boolean putIntegration(Integration integration) throws TargetException;

  /**
   * Gives every integration of a state its telemetry ingest token at once, before any is put
   * (putIntegration gives one its token too, so a pod never starts without it). By default, where
   * integrations need no token of their own, nothing. Whether anything was written.
   */
  default boolean putIngestTokens(List<Integration> integrations) throws TargetException {
    return false;
  }

  /**
   * Makes the gateway serve this routing table.
   *
   * @return whether anything had to change
   */
  boolean putRoutes(RoutingTable routes) throws TargetException;

  /**
   * Whether each integration runs apart from the others (its own pods), so that a new one can start
   * beside the one whose paths it takes over. Not in one local runtime, where two integrations
   * cannot serve the same paths. By default, no.
   */
  default boolean isolatesIntegrations() {
    return false;
  }

  /**
   * The project the integration of that name runs for now, as last written here (a failed pass may
   * have given the name to another project than the state's); empty when unknown. By default, unknown.
   */
  default Optional<String> projectOf(String integration) throws TargetException {
    return Optional.empty();
  }

  /**
   * The routing table the gateway is given now, as last written here; empty when there is none, or
   * when it cannot be read as one (then the next {@link #putRoutes} replaces it).
   */
  Optional<RoutingTable> routes() throws TargetException;

  /**
   * Makes observability-api keep logs and traces as long as the state says.
   *
   * @return whether anything had to change
   */
  boolean putTelemetry(Telemetry telemetry) throws TargetException;

  /**
   * Stops and removes an integration the agent wrote. Removing one that is not there is a no-op.
   *
   * @return whether anything had to change
   */
  boolean deleteIntegration(String name) throws TargetException;
}
