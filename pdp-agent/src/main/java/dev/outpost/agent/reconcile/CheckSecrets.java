package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.SecretRef;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Refuses to go on while a referenced secret is missing from the data plane's own store: secret
 * values never come from the snapshot, so an integration without them could not run.
 */
public final class CheckSecrets implements ReconcileStep {
  static final String NAME = "check-secrets";

  @Override
  public String name() {
    return NAME;
  }

  /**
   * A secret deleted after its revision was applied: the integrations using it keep running as they
   * were, and every resync stopped here, leaving a deleted routes file or integration file unrestored.
   */
  @Override
  public boolean stopsCorrection() {
    return false;
  }

  @Override
  public int run(DataPlaneState desired, Target target) throws TargetException {
    List<SecretRef> refs = new ArrayList<>();
    desired.integrations().stream().map(Integration::secrets).forEach(refs::addAll);
    desired.routes().stream()
        .map(Route::auth)
        .filter(a -> a != null && a.apiKey() != null && a.apiKey().keys() != null)
        .forEach(a -> refs.add(a.apiKey().keys()));
    List<SecretRef> missing = target.missingSecrets(refs);
    if (!missing.isEmpty()) {
      throw new TargetException("secrets missing from the data plane: "
          + missing.stream().map(SecretRef::toString).collect(Collectors.joining(", ")));
    }
    return 0;
  }
}
