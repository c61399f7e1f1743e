package dev.outpost.observability.support;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/** Starts one {@link TestIdp} for the test application and points smallrye-jwt at it. */
public class TestIdpResource implements QuarkusTestResourceLifecycleManager {

  private static TestIdp idp;
  private static int consolePort;

  /** A port for a second origin (the browser test's console page), allowed by CORS. */
  public static synchronized int consolePort() {
    if (consolePort == 0) {
      try {
        consolePort = AppProcess.freePort();
      } catch (java.io.IOException e) {
        throw new IllegalStateException(e);
      }
    }
    return consolePort;
  }

  /** The IdP the running test application trusts. */
  public static synchronized TestIdp idp() {
    if (idp == null) {
      try {
        idp = new TestIdp();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
    return idp;
  }

  @Override
  public Map<String, String> start() {
    return Map.of(
        "mp.jwt.verify.publickey.location", idp().jwksUrl(),
        "mp.jwt.verify.issuer", TestIdp.ISSUER,
        "mp.jwt.verify.audiences", TestIdp.AUDIENCE,
        "quarkus.http.cors.origins", "http://console.test,http://127.0.0.1:7070,http://127.0.0.1:" + consolePort());
  }

  @Override
  public void stop() {
    // the IdP lives as long as the JVM: other test classes of the same run share the application
  }
}
