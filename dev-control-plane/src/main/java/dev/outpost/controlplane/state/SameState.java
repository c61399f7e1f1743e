package dev.outpost.controlplane.state;

import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import java.util.Comparator;
import java.util.List;

/**
 * Whether a new state would change nothing of the current one, its revision aside. Such a change
 * ({@code {}}, the same integration again) made a revision each time, pushed to every agent; it keeps
 * the current one instead, as {@code kubectl apply} says "unchanged".
 */
final class SameState {
  private SameState() {}

  /** Equal in every field but the revision, entries in the same order: a whole state says its order. */
  static boolean exactly(DataPlaneState current, DataPlaneState next) {
    return current.equals(new DataPlaneState(next.apiVersion(), current.revision(), next.dataPlane(),
        next.identityProviders(), next.integrations(), next.routes(), next.telemetry()));
  }

  /**
   * Equal but for the order of entries, names and ids being unique: a merge puts what a document
   * names last, so the same integration applied again moved, and changed nothing else. The current
   * state, kept, keeps its order.
   */
  static boolean butForOrder(DataPlaneState current, DataPlaneState next) {
    return exactly(sorted(current), sorted(next));
  }

  private static DataPlaneState sorted(DataPlaneState state) {
    return new DataPlaneState(state.apiVersion(), state.revision(), state.dataPlane(),
        sorted(state.identityProviders(), Comparator.comparing(IdentityProvider::name)),
        sorted(state.integrations(), Comparator.comparing(Integration::name)),
        sorted(state.routes(), Comparator.comparing(Route::id)), state.telemetry());
  }

  private static <T> List<T> sorted(List<T> entries, Comparator<T> order) {
    return entries.stream().sorted(order).toList();
  }
}
