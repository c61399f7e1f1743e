package dev.outpost.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The README's five-minute tour as written: a plain first {@code ./outpost up} (which deploys the
 * examples that run on their own), {@code ./outpost token}, and the tour's calls with the answers the
 * README gives. Before, the suite ran {@code up} without the examples only, so an example that
 * failed every 30 s in the default run went unseen.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ReadmeTourIT {
  private static final String GATEWAY = "http://127.0.0.1:8080";
  private static final String OBSERVABILITY = "http://127.0.0.1:8082";
  private static final Duration SETTLE = Duration.ofSeconds(30);

  private final Path home = Path.of("target/e2e-tour-home").toAbsolutePath();
  private Launcher outpost;

  @BeforeAll
  void up() throws IOException {
    deleteRecursively(home);
    outpost = new Launcher(Launcher.repositoryRoot(), home, Map.of());
    Launcher.Result up = outpost.run(300, "up").expectSuccess("./outpost up");
    assertThat(up.output()).contains("deployed public-hello.yaml", "deployed orders-jwt.yaml")
        .doesNotContain("two-projects");
  }

  @AfterAll
  void down() {
    if (outpost != null) {
      outpost.run(120, "down").expectSuccess("./outpost down");
    }
  }

  @Test
  void theTourAnswersAsTheReadmeSays() throws IOException {
    assertThat(outpost.run(60, "status").expectSuccess("./outpost status").output())
        .containsPattern("hello +\\S+ +Ready").containsPattern("orders-api +\\S+ +Ready");
    assertThat(Http.get(GATEWAY + "/hello", null).statusCode()).isEqualTo(200);

    String reader = token("--project", "shop", "--scope", "orders:read");
    String writer = token("--project", "shop", "--scope", "orders:write");
    assertThat(Http.get(GATEWAY + "/orders", null).statusCode()).as("no token").isEqualTo(401);
    HttpResponse<String> read = Http.get(GATEWAY + "/orders", reader);
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(read.headers().firstValue("RateLimit-Limit")).isPresent();
    assertThat(Http.send("POST", GATEWAY + "/orders", reader, "application/json", "{\"item\":\"widget\",\"quantity\":2}")
        .statusCode()).as("wrong scope").isEqualTo(403);
    assertThat(Http.send("POST", GATEWAY + "/orders", writer, "application/json", "{\"item\":\"widget\",\"quantity\":2}")
        .statusCode()).isEqualTo(201);

    String shop = token("--project", "shop");
    String logs = OBSERVABILITY + "/api/v1/logs?limit=3&q=" + URLEncoder.encode("route:orders-read", StandardCharsets.UTF_8);
    Eventually.await("the access records of /orders", SETTLE, () ->
        Http.json(Http.get(logs, shop)).path("records").size() > 0 ? true : null);
    assertThat(Http.json(Http.get(logs, token("--project", "demo"))).path("records").size()).as("another project")
        .isZero();

    // a mistyped option gets the IdP's reason, not "is the data plane up?"
    Launcher.Result badProject = outpost.run(60, "token", "--project", "My_Shop");
    assertThat(badProject.exitCode()).isNotZero();
    assertThat(badProject.output()).contains("projects[0]: a DNS-1123 label expected");
    assertThat(outpost.run(60, "token", "--project").output()).contains("token: --project needs a value");
    // what is typed reaches the IdP as typed: a quote does not end the JSON string and add a project
    Launcher.Result quoted = outpost.run(60, "token", "--project", "shop\",\"demo");
    assertThat(quoted.exitCode()).as(quoted.output()).isNotZero();
    assertThat(quoted.output()).contains("projects[0]: a DNS-1123 label expected").doesNotContain("malformed");

    // a refused file: each problem on a line of its own, with its path, not the control plane's JSON
    Path bad = home.resolve("bad route.yaml");
    Files.writeString(bad, """
        apiVersion: outpost.dev/v1
        routes:
          - id: tour-bad
            project: demo
            match: {pathPrefix: tour-bad}
            integration: hello
            auth: {public: true}
        """);
    Launcher.Result refused = outpost.run(60, "deploy", bad.toString());
    assertThat(refused.exitCode()).isNotZero();
    assertThat(refused.output()).contains("\n  routes[0].match.pathPrefix: must start with \"/\"").doesNotContain("violations");
    // a path with a quote in it is a problem like the others, not dropped from the list
    Path quotedKey = Files.writeString(home.resolve("quoted-key.yaml"), """
        apiVersion: outpost.dev/v1
        integrations:
          - name: tour-quote
            project: demo
            version: "1"
            config: {'a"b': 1}
            source: "- from:\\n    uri: timer:x\\n"
        """);
    assertThat(outpost.run(60, "deploy", quotedKey.toString()).output()).contains("\n  integrations[0].config.a\"b: must be a string");
    // another home's admin token: the control plane on the port was started elsewhere, and it is said so
    Path otherHome = Files.createTempDirectory("outpost-other-home");
    Files.createDirectories(otherHome.resolve("secrets/outpost"));
    Files.writeString(otherHome.resolve("secrets/outpost/admin-token"), "another-homes-admin-token-0123456789");
    Launcher.Result elsewhere = new Launcher(Launcher.repositoryRoot(), otherHome, Map.of()).run(60, "undeploy", "hello");
    assertThat(elsewhere.exitCode()).isNotZero();
    assertThat(elsewhere.output()).contains("(401): the control plane at http://127.0.0.1:7070 was not started from OUTPOST_HOME="
        + otherHome);
    deleteRecursively(otherHome);
    assertThat(outpost.run(60, "status", "extra").output()).contains("usage: ./outpost status");
    // JSON in a file whose name does not say so, indented with tabs as JSON tools write it, from standard input
    Path tabbed = home.resolve("tabbed.yaml");
    Files.writeString(tabbed, "{\n\t\"apiVersion\": \"outpost.dev/v1\",\n\t\"integrations\": [{\"name\": \"tour-tab\","
        + " \"project\": \"demo\", \"version\": \"1\", \"source\": \"- route:\\n    id: tour-tab\\n    from:\\n"
        + "      uri: platform-http:/tour-tab\\n      steps:\\n        - setBody:\\n            constant: tabbed\\n\"}],"
        + "\n\t\"routes\": [{\"id\": \"tour-tab\", \"project\": \"demo\", \"match\": {\"pathPrefix\": \"/tour-tab\"},"
        + " \"integration\": \"tour-tab\", \"auth\": {\"public\": true}}]\n}\n");
    outpost.runWithInput(60, tabbed, "deploy", "-").expectSuccess("./outpost deploy - of tab-indented JSON");
    assertThat(Http.get(GATEWAY + "/tour-tab", null).body()).isEqualTo("tabbed");
    assertThat(outpost.run(60, "deploy", home.toString()).output()).contains("is a directory");

    // an emptied keys file revokes every key: a later up keeps it so, and writes no example key back
    Path keys = home.resolve("secrets/partner-api-keys/keys");
    String issued = Files.readString(keys);
    Files.writeString(keys, "");
    outpost.run(120, "up").expectSuccess("./outpost up again");
    assertThat(Files.readString(keys)).isEmpty();
    Files.writeString(keys, issued);

    // the examples deployed by default run clean: none fails in a loop behind the user's back
    assertThat(Files.readString(home.resolve("logs/integration-runtime.log"))).doesNotContain(" ERROR ");
  }

  private String token(String... args) {
    String[] command = new String[args.length + 1];
    command[0] = "token";
    System.arraycopy(args, 0, command, 1, args.length);
    return outpost.run(60, command).expectSuccess("./outpost token").output().trim();
  }

  private static void deleteRecursively(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }
}
