package dev.outpost.runtime.deploy;

import dev.outpost.runtime.dispatch.HttpEndpoint;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.SecretRef;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One integration version running in the {@code CamelContext}.
 *
 * @param key the version's unique name inside the context ({@code <name>.g<generation>})
 * @param prefix the internal HTTP prefix its {@code platform-http} routes are served under
 * @param routeIds the Camel route ids it added (removed on upgrade and removal)
 * @param endpoints the public HTTP endpoints it serves
 * @param secretsRead each secret key it read, with the value it was given
 * @param beans the beans it bound in the shared registry, released when it retires
 */
public record Deployment(
    Integration integration,
    String key,
    String prefix,
    Set<String> routeIds,
    List<HttpEndpoint> endpoints,
    Map<SecretRef, String> secretsRead,
    BoundBeans beans) {

  public String name() {
    return integration.name();
  }
}
