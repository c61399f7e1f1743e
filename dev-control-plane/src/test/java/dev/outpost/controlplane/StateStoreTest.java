package dev.outpost.controlplane;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.controlplane.state.StateStore;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StateStoreTest {

  @TempDir
  Path dataDir;

  /** A state kept by an earlier version that a rule added since refuses (here: a path without its leading "/"). */
  @Test
  void aKeptStateThisVersionRefusesNamesItsFileAndTheField() throws Exception {
    Files.writeString(dataDir.resolve("state.json"), """
        {"apiVersion": "outpost.dev/v1", "revision": 3, "dataPlane": "local", "identityProviders": [],
         "integrations": [{"name": "hello", "project": "demo", "version": "1",
                           "source": "- from:\\n    uri: platform-http:/hello\\n"}],
         "routes": [{"id": "hello", "project": "demo", "match": {"pathPrefix": "hello"}, "integration": "hello",
                     "auth": {"public": true}}]}
        """);
    assertThatThrownBy(() -> new StateStore(config()))
        .hasMessageContaining(dataDir.resolve("state.json").toString())
        .hasMessageContaining("routes[0].match.pathPrefix");
  }

  private ControlPlaneConfig config() {
    return (ControlPlaneConfig) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {ControlPlaneConfig.class},
        (proxy, method, args) -> switch (method.getName()) {
          case "dataDir" -> dataDir;
          case "dataPlane" -> "local";
          default -> throw new UnsupportedOperationException(method.getName());
        });
  }
}
