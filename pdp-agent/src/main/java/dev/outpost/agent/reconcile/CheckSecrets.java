package dev.outpost.agent.reconcile;

import dev.outpost.agent.targets.Target;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.SecretRef;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
    // each secret with what needs it: on a data plane several teams deploy to, the one who reads the
    // refusal may not own the integration it is about
    Map<SecretRef, Set<String>> neededBy = new LinkedHashMap<>();
    for (Integration integration : desired.integrations()) {
      for (SecretRef secret : integration.secrets()) {
        neededBy.computeIfAbsent(secret, s -> new LinkedHashSet<>()).add("integration " + integration.name());
      }
    }
    for (Route route : desired.routes()) {
      if (route.auth() != null && route.auth().apiKey() != null && route.auth().apiKey().keys() != null) {
        neededBy.computeIfAbsent(route.auth().apiKey().keys(), s -> new LinkedHashSet<>())
            .add("the API keys of route " + route.id());
      }
    }
    List<SecretRef> missing = target.missingSecrets(new ArrayList<>(neededBy.keySet()));
    if (!missing.isEmpty()) {
      throw new TargetException("secrets missing from the data plane: " + missing.stream()
          .map(secret -> secret + " (" + String.join(", ", neededBy.getOrDefault(secret, Set.of())) + ")")
          .collect(Collectors.joining(", ")));
    }
    return 0;
  }
}
