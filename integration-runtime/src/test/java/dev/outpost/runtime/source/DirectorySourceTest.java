package dev.outpost.runtime.source;

import static dev.outpost.runtime.Integrations.constantRoute;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static dev.outpost.runtime.Eventually.eventually;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.junit.jupiter.api.Test;

/**
 * The state directory as the agent writes it (temp file + rename): deploy, call, upgrade, call
 * again and remove, against a real backend.
 */
@QuarkusTest
class DirectorySourceTest {

  static final Path DIR = Path.of("target/test-state/integrations");

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void deployUpgradeAndRemoveByWritingFiles() throws Exception {
    try (Backend backend = Backend.json("{\"from\":\"backend\"}")) {
      String v1 = """
          - route:
              id: dir-quote
              from:
                uri: platform-http:/dir-quote
                steps:
                  - removeHeaders:
                      pattern: "CamelHttp*"
                  - to: %s/quote
          """.formatted(backend.url());
      write("dir-quote", Integrations.of("dir-quote", "1", v1));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(200).body("from", equalTo("backend")));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'dir-quote' }.phase", equalTo("Ready")));

      write("dir-quote", Integrations.of("dir-quote", "2", constantRoute("dir-quote", "/dir-quote", "v2")));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(200).body(equalTo("v2")));

      Files.delete(DIR.resolve("dir-quote.json"));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(404));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body(not(containsString("dir-quote"))));
    }
  }

  @Test
  void aFileThatIsNotAnIntegrationIsReportedFailedByItsFileName() throws Exception {
    Files.createDirectories(DIR);
    Files.writeString(DIR.resolve("broken-json.json"), "{\"name\": \"broken-json\", ");
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'broken-json' }.phase", equalTo("Failed"))
        .body("find { it.name == 'broken-json' }.message", containsString("invalid integration JSON")));
    Files.delete(DIR.resolve("broken-json.json"));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body(not(containsString("broken-json"))));
  }

  static void write(String name, dev.outpost.spec.model.Integration integration) throws IOException {
    Files.createDirectories(DIR);
    Path tmp = DIR.resolve("." + name + ".tmp");
    Files.writeString(tmp, Integrations.json(integration));
    Files.move(tmp, DIR.resolve(name + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
