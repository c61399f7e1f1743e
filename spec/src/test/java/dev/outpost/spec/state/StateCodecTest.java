package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.outpost.spec.model.ApiKeyAuth;
import dev.outpost.spec.model.Cors;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.IdentityProvider;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Route;
import dev.outpost.spec.model.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class StateCodecTest {

  static final String MINIMAL = """
      apiVersion: outpost.dev/v1
      revision: 3
      dataPlane: local
      identityProviders:
        - name: dev
          issuer: http://127.0.0.1:7070/idp
          jwksUri: http://127.0.0.1:7070/idp/jwks
      integrations:
        - name: echo
          project: demo
          version: "1"
          source: |
            - route:
                id: echo
                from:
                  uri: "platform-http:/echo"
                  steps:
                    - setBody:
                        constant: hi
      routes:
        - id: echo
          project: demo
          match: {pathPrefix: /echo}
          integration: echo
          auth:
            apiKey:
              keys: {name: echo-keys, key: keys}
          cors:
            allowOrigins: ["https://console.example.com"]
        - id: echo-jwt
          project: demo
          match: {pathPrefix: /echo-jwt}
          integration: echo
          auth:
            jwt: {identityProviders: [dev]}
      """;

  @Test
  void appliesDefaultsOnRead() throws Exception {
    DataPlaneState state = StateCodec.readYaml(MINIMAL);

    Integration integration = state.integrations().get(0);
    assertThat(integration.replicas()).isEqualTo(1);
    assertThat(integration.config()).isEmpty();
    assertThat(integration.resources()).isNull();
    Route route = state.routes().get(0);
    assertThat(route.timeoutMillis()).isEqualTo(30_000);
    assertThat(route.maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
    assertThat(route.retries()).isZero();
    assertThat(route.stripPrefix()).isFalse();
    assertThat(route.match().hosts()).isEmpty();
    assertThat(route.auth().apiKey().header()).isEqualTo(ApiKeyAuth.DEFAULT_HEADER).isEqualTo("X-API-Key");
    Cors cors = route.cors();
    assertThat(cors.maxAgeSeconds()).isEqualTo(600);
    assertThat(cors.allowCredentials()).isFalse();
    IdentityProvider idp = state.identityProviders().get(0);
    assertThat(idp.algorithms()).containsExactly("RS256");
    assertThat(idp.clockSkewSeconds()).isEqualTo(30);
    assertThat(state.telemetry()).isEqualTo(new Telemetry(7, 7));
    assertThat(state.routes().get(1).auth().jwt().forwardToken()).as("the bearer token stops at the gateway").isFalse();
  }

  @Test
  void writesDefaultsExplicitlyAndOmitsAbsentOptionalParts() throws Exception {
    String json = StateCodec.toJson(StateCodec.readYaml(MINIMAL));

    assertThat(json).contains("\"timeoutMillis\" : 30000", "\"header\" : \"X-API-Key\"", "\"replicas\" : 1",
        "\"logsRetentionDays\" : 7", "\"forwardToken\" : false");
    assertThat(json).doesNotContain("rateLimit", "resources", "null");
  }

  @Test
  void yamlAndJsonOfTheSameStateReadEqual() throws Exception {
    DataPlaneState fromYaml = StateCodec.readYaml(MINIMAL);
    assertThat(StateCodec.readJson(StateCodec.toJson(fromYaml))).isEqualTo(fromYaml);
    assertThat(StateCodec.readYaml(StateCodec.toYaml(fromYaml))).isEqualTo(fromYaml);
  }

  @ParameterizedTest
  @ValueSource(strings = {"yes", "no", "on", "off", "Y", "n", "null", "~", "true", "False", "0x1F", "1e3", "012",
      "0o17", ".inf", ".NaN", "-.5", "+1", "1_000", "12:30", "2026-01-01", "", " lead", "trail ", "a: b", "- x", "#c",
      "a #b", "@x", "`x", "!x", "&a", "*a", "%x", "{x}", "[x]", "|", ">", "'q'", "\"q\"", "x\ny", " x\n  y\n",
      "1.0.0", "héllo ✓"})
  void yamlOutputReadsBackAsTheSameStrings(String value) throws Exception {
    Integration base = StateCodec.readYaml(MINIMAL).integrations().get(0);
    DataPlaneState state = new DataPlaneState("outpost.dev/v1", 3, "local", List.of(),
        List.of(new Integration(base.name(), base.project(), "v", base.source(),
            Map.of("K", value, value.isEmpty() || value.contains("\n") ? "EMPTY" : value, "x"), List.of(), 1, null)),
        List.of(), null);

    assertThat(StateCodec.readYaml(StateCodec.toYaml(state))).isEqualTo(state);
  }

  @Test
  void reportsEveryStructuralAndSemanticProblemAtOnce() {
    String json = """
        {"apiVersion": "outpost.dev/v2", "revision": "seven", "dataPlane": "local",
         "integrations": [{"name": "a", "project": "p", "version": "1", "source": "- from: {}",
                           "replicas": "two"}],
         "routes": [
           {"id": "r0", "project": "p", "match": {"pathPrefix": "/a"}, "integration": "a", "auth": {"public": true}},
           {"id": "r1", "project": "p", "match": {"pathPrefix": "x"}, "integration": "a", "auth": {"public": true},
            "foo": 1}]}
        """;

    assertThatThrownBy(() -> StateCodec.readJson(json))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactlyInAnyOrder(
            new Violation("revision", "must be an integer, found a string"),
            new Violation("integrations[0].replicas", "must be an integer, found a string"),
            new Violation("routes[1].foo", "unknown field"),
            new Violation("apiVersion", "must be \"outpost.dev/v1\""),
            new Violation("routes[1].match.pathPrefix", "must start with \"/\"")));
  }

  /**
   * A list element that cannot be read at all (null) is left out of the record read, so the rules
   * that check the record would count the elements after it one short: routes[1]'s missing
   * prefix slash was reported at routes[0], which was fine. Those rules wait until the list reads whole.
   */
  @Test
  void anUnreadableListElementDoesNotShiftTheOthersProblemsOntoTheirNeighbours() {
    String json = """
        {"apiVersion": "outpost.dev/v1", "revision": 3, "dataPlane": "local",
         "integrations": [{"name": "a", "project": "p", "version": "1", "source": "- from: {}"}],
         "routes": [
           null,
           {"id": "r1", "project": "p", "match": {"pathPrefix": "x"}, "integration": "a", "auth": {"public": true}}]}
        """;
    assertThatThrownBy(() -> StateCodec.readJson(json))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactly(
            new Violation("routes[0]", "must be an object, found null")));
  }

  @Test
  void theTelemetryDocumentReadsBackAndIsCheckedLikeTheState() throws Exception {
    Telemetry telemetry = new Telemetry(14, 30);
    assertThat(StateCodec.readTelemetry(StateCodec.toJson(telemetry))).isEqualTo(telemetry);
    assertThat(StateCodec.readTelemetry("{}")).isEqualTo(Telemetry.DEFAULT);
    assertThatThrownBy(() -> StateCodec.readTelemetry("{\"logsRetentionDays\": 0, \"tracesRetentionDays\": \"x\", \"a\": 1}"))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactlyInAnyOrder(
            new Violation("logsRetentionDays", "must be between 1 and 365"),
            new Violation("tracesRetentionDays", "must be an integer, found a string"),
            new Violation("a", "unknown field")));
  }

  @Test
  void reportsMissingRequiredFields() {
    assertThatThrownBy(() -> StateCodec.readJson("{\"apiVersion\": \"outpost.dev/v1\"}"))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactly(
            new Violation("revision", "is required"), new Violation("dataPlane", "is required")));
  }

  @Test
  void reportsSyntaxErrorsWithTheirLocation() {
    assertThatThrownBy(() -> StateCodec.readJson("{\"revision\": 1,,}"))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> {
          assertThat(e.violations()).hasSize(1);
          assertThat(e.violations().get(0).message()).startsWith("not valid JSON: ").contains("line 1");
        });
    assertThatThrownBy(() -> StateCodec.readYaml("revision: [1"))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations().get(0).message()).startsWith("not valid YAML: "));
    assertThatThrownBy(() -> StateCodec.readJson("  "))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations()).containsExactly(new Violation("", "the document is empty")));
  }

  @Test
  void rejectsDuplicateKeysSoADocumentCannotBeReadTwoWays() {
    assertThatThrownBy(() -> StateCodec.readJson("{\"revision\": 1, \"revision\": 2}"))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations().get(0).message()).contains("Duplicate field 'revision'"));
  }

  /** A second YAML document was read as nothing, in a state and in an integration's source (which Camel refuses). */
  @Test
  void rejectsASecondYamlDocument() throws Exception {
    String state = Examples.text("public-hello.yaml");
    assertThatThrownBy(() -> StateCodec.readYaml(state + "\n---\nrevision: 7\n"))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations().get(0).message()).startsWith("not valid YAML"));
    String twoSources = state.replaceFirst("(?m)^( +)source: \\|\\n", "$1source: |\n$1  - from:\n$1      uri: timer:x\n$1  ---\n");
    assertThat(twoSources).isNotEqualTo(state);
    assertThatThrownBy(() -> StateCodec.readYaml(twoSources))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations()).anySatisfy(v -> assertThat(v.message()).startsWith("is not valid YAML")));
  }

  static final String ALIAS = "uses a YAML alias (*proj), which is not supported: write the value out";

  /**
   * Jackson reads an alias as the anchor's name, not its value: a second integration with {@code
   * project: *proj} landed silently in project "proj". Every anchor and alias is refused at its
   * path, also as a key, a merge ({@code <<: *base}) or a list element.
   */
  @Test
  void refusesYamlAnchorsAndAliasesNamingTheirPaths() {
    String anchored = MINIMAL.replace("project: demo\n    version", "project: &proj demo\n    version")
        .replace("  - id: echo-jwt\n    project: demo", "  - id: echo-jwt\n    project: *proj");
    assertThat(anchored).contains("&proj").contains("*proj");
    assertThatThrownBy(() -> StateCodec.readYaml(anchored))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactly(
            new Violation("integrations[0].project", "declares a YAML anchor (&proj), which is not supported: "
                + "write each value out"),
            new Violation("routes[1].project", ALIAS)));

    String merged = MINIMAL.replace("  - id: echo-jwt\n", "  - <<: *proj\n    id: echo-jwt\n")
        .replace("  - id: echo\n    project: demo", "  - &proj\n    id: echo\n    project: demo");
    assertThatThrownBy(() -> StateCodec.readYaml(merged))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).extracting(Violation::path)
            .containsExactly("routes[0]", "routes[1].<<"));
    assertThatThrownBy(() -> StateCodec.readYaml(MINIMAL.replace("allowOrigins: [\"https://console.example.com\"]",
        "allowOrigins: [&o \"https://console.example.com\", *o]")))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).extracting(Violation::path)
            .containsExactly("routes[0].cors.allowOrigins[0]", "routes[0].cors.allowOrigins[1]"));
    // an anchor in an integration's source is the source's text, not the state's
    assertThat(MINIMAL).contains("constant: hi");
    assertThatCode(() -> StateCodec.readYaml(MINIMAL.replace("constant: hi", "constant: &c hi"))).doesNotThrowAnyException();
  }

  @Test
  void rejectsARootThatIsNotAnObject() {
    assertThatThrownBy(() -> StateCodec.readJson("[1, 2]"))
        .isInstanceOfSatisfying(InvalidStateException.class,
            e -> assertThat(e.violations()).containsExactly(new Violation("", "must be an object, found a list")));
  }

  /** YAML's {@code !!binary} was "must be a string, found a string". */
  @Test
  void aBinaryValueIsNamedAsSuch() {
    assertThatThrownBy(() -> StateCodec.readYaml(MINIMAL.replace("version: \"1\"", "version: !!binary aGVsbG8=")))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
            .containsExactly(new Violation("integrations[0].version", "must be a string, found binary data (!!binary)")));
  }

  @Test
  void integralNumbersMayBeWrittenAsDecimals() throws Exception {
    DataPlaneState state = StateCodec.readYaml(MINIMAL.replace("revision: 3", "revision: 3.0"));
    assertThat(state.revision()).isEqualTo(3);
    assertThatThrownBy(() -> StateCodec.readYaml(MINIMAL.replace("revision: 3", "revision: 3.5")))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
            .containsExactly(new Violation("revision", "must be an integer, found the number 3.5")));
  }

  @Test
  void hugeExponentsAreRefusedWithoutExpandingThem() {
    assertThatThrownBy(() -> StateCodec.readJson("{\"apiVersion\": \"outpost.dev/v1\", \"revision\": 1e1000000000, "
        + "\"dataPlane\": \"local\"}"))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
            .containsExactly(new Violation("revision", "must be an integer, found the number 1E+1000000000")));
  }

  @Test
  void routingTableReaderChecksWhatItCanWithoutTheIntegrations() {
    String json = """
        {"revision": 5, "identityProviders": [],
         "routes": [{"id": "r", "project": "p", "match": {"pathPrefix": "/r"}, "integration": "Any",
                     "auth": {"jwt": {"identityProviders": ["dev"]}}}]}
        """;
    assertThatThrownBy(() -> StateCodec.readRoutingTable(json))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactly(
            new Violation("routes[0].integration", Names.LABEL_RULE),
            new Violation("routes[0].auth.jwt.identityProviders[0]", "identity provider \"dev\" does not exist")));
  }

  @Test
  void integrationReaderValidatesTheIntegrationAlone() {
    String json = """
        {"name": "Bad_Name", "project": "p", "version": "1", "source": "- route: {}",
         "secrets": [{"name": "db", "key": "password", "value": "hunter2"}]}
        """;
    assertThatThrownBy(() -> StateCodec.readIntegration(json))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).containsExactly(
            new Violation("secrets[0].value", SecretRules.USE_SECRET_REF),
            new Violation("name", Names.LABEL_RULE)));
  }

  /**
   * A source larger than an integration may be is refused for its size, never given to SnakeYAML,
   * which copies its read window per 1,024 characters of one line: a 9 MiB comment line in a JSON
   * body (which no YAML line check reads), or in a double-quoted YAML value folded over short lines
   * (which decodes to one line), was parsed for more than 20 s, in more memory than the control plane
   * has, before the size rule refused it.
   */
  @Test
  void aSourceTooLargeForItsIntegrationIsRefusedForItsSizeWithoutBeingParsed() {
    String comment = "# " + "x".repeat(9 * 1024 * 1024);
    String json = """
        {"apiVersion": "outpost.dev/v1", "revision": 3, "dataPlane": "local",
         "integrations": [{"name": "echo", "project": "demo", "version": "1",
                           "source": "%s\\n- from:\\n    uri: timer:x\\n"}]}
        """.formatted(comment);
    StringBuilder folded = new StringBuilder("\"# ");
    for (int i = 0; i < 9 * 1024 * 1024 / 64; i++) {
      folded.append("x".repeat(63)).append("\n      ");
    }
    String yaml = """
        apiVersion: outpost.dev/v1
        revision: 3
        dataPlane: local
        integrations:
          - name: echo
            project: demo
            version: "1"
            source: %s\\n- from:\\n    uri: timer:x\\n"
        """.formatted(folded);
    assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
      assertOnlySourceSizeViolation(() -> StateCodec.readJson(json));
      assertOnlySourceSizeViolation(() -> StateCodec.readYaml(yaml));
    });
  }

  private static void assertOnlySourceSizeViolation(org.assertj.core.api.ThrowableAssert.ThrowingCallable read) {
    assertThatThrownBy(read).isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
        .singleElement().satisfies(v -> {
          assertThat(v.path()).isEqualTo("integrations[0].source");
          assertThat(v.message()).startsWith("makes the integration 9").contains("more than the 1000000 bytes");
        }));
  }
}
