package dev.outpost.runtime.status;

import static dev.outpost.runtime.Eventually.eventually;
import static dev.outpost.runtime.Integrations.constantRoute;
import static dev.outpost.runtime.Integrations.httpRoute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;

import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The runtime as the agent runs it in the pod of one integration in Kubernetes
 * ({@code ready-requires-every-integration}): a version that fails to deploy makes the pod unready,
 * so a rolling update keeps the old pod serving instead of replacing it with one that serves
 * nothing; the version after it, deployed, makes the pod ready again.
 */
@QuarkusTest
@TestProfile(SingleIntegrationReadinessTest.OnePod.class)
class SingleIntegrationReadinessTest {

  static final Path DIR = temporaryDirectory();

  public static class OnePod implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("outpost.runtime.ready-requires-every-integration", "true",
          "outpost.runtime.integrations-dir", DIR.toString());
    }
  }

  @TestHTTPResource(value = "/health/ready", management = true)
  URL readiness;

  @TestHTTPResource("/")
  URL http;

  @Test
  void aFailedIntegrationMakesThePodUnreadyUntilAVersionThatDeploys() throws Exception {
    given().get(readiness).then().statusCode(200);

    write(Integrations.of("only", "1", httpRoute("only", "/only", """
        - to: kafka:orders
        """)));
    eventually(() -> given().get(readiness).then().statusCode(503)
        .body("checks.find { it.name == 'integrations' }.data.only", equalTo("Failed")));

    write(Integrations.of("only", "2", constantRoute("only", "/only", "serving")));
    eventually(() -> given().get(readiness).then().statusCode(200)
        .body("checks.find { it.name == 'integrations' }.data.only", equalTo("Ready")));
    given().get(http.toString() + "only").then().statusCode(200).body(equalTo("serving"));
  }

  private static void write(dev.outpost.spec.model.Integration integration) throws IOException {
    Path tmp = Files.createTempFile(DIR.getParent(), "only", ".tmp");
    Files.writeString(tmp, Integrations.json(integration));
    Files.move(tmp, DIR.resolve("only.json"), java.nio.file.StandardCopyOption.ATOMIC_MOVE,
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
  }

  private static Path temporaryDirectory() {
    try {
      return Files.createDirectories(Files.createTempDirectory("outpost-one-pod").resolve("integrations"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
