package dev.outpost.agent;

import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Resources;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.RouteAuth;
import dev.outpost.spec.model.RouteMatch;
import dev.outpost.spec.model.SecretRef;
import dev.outpost.spec.model.Telemetry;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Valid desired states for tests, built in code. */
public final class TestStates {
  public static final String DATA_PLANE = "test-dp";

  private TestStates() {}

  public static Integration integration(String name) {
    return integration(name, "v1");
  }

  public static Integration integration(String name, String version) {
    String source = "- from:\n    uri: platform-http:/" + name + "\n    steps:\n      - setBody:\n          constant: hello from " + name + "\n";
    return new Integration(name, "shop", version, source, Map.of("greeting", "hi"), List.of(), 1,
        new Resources("100m", "128Mi", null, "256Mi"));
  }

  /**
   * Integrations {@code bulk-0}, {@code bulk-1}… holding {@code lines} comment lines of 80 bytes in
   * all, 10,000 each: a snapshot that takes a while to verify and apply, though each integration
   * fits the 1 MB a ConfigMap holds.
   */
  public static Integration[] bulky(int lines) {
    int perIntegration = 10_000;
    Integration[] bulk = new Integration[(lines + perIntegration - 1) / perIntegration];
    for (int i = 0; i < bulk.length; i++) {
      Integration model = integration("bulk-" + i);
      String padding = ("# " + "x".repeat(77) + "\n").repeat(Math.min(perIntegration, lines - i * perIntegration));
      bulk[i] = new Integration(model.name(), model.project(), model.version(), model.source() + padding,
          model.config(), model.secrets(), model.replicas(), model.resources());
    }
    return bulk;
  }

  public static Integration withSecret(Integration i, String secret, String key) {
    return new Integration(i.name(), i.project(), i.version(), i.source(), i.config(),
        List.of(new SecretRef(secret, key)), i.replicas(), i.resources());
  }

  public static Route route(String integration) {
    return new Route("r-" + integration, "shop", new RouteMatch("/" + integration, List.of(), List.of()),
        integration, true, RouteAuth.anonymous(), null, Route.DEFAULT_TIMEOUT_MILLIS, 0, null,
        Route.DEFAULT_MAX_BODY_BYTES);
  }

  /** A state with one public route per integration. */
  public static DataPlaneState state(long revision, Integration... integrations) {
    List<Route> routes = new ArrayList<>();
    for (Integration i : integrations) {
      routes.add(route(i.name()));
    }
    return new DataPlaneState(DataPlaneState.API_VERSION, revision, DATA_PLANE, List.of(),
        List.of(integrations), routes, Telemetry.DEFAULT);
  }

  public static DataPlaneState state(long revision, String... names) {
    return state(revision, java.util.Arrays.stream(names).map(TestStates::integration).toArray(Integration[]::new));
  }
}
