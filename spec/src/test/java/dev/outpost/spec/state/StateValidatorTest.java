package dev.outpost.spec.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class StateValidatorTest {

  static List<InvalidStates.Case> cases() {
    return InvalidStates.cases();
  }

  @Test
  void theBaseOfTheTableIsValid() throws Exception {
    StateCodec.read(InvalidStates.valid());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void eachInvalidStateYieldsExactlyItsViolation(InvalidStates.Case invalid) {
    assertThatThrownBy(() -> StateCodec.read(invalid.apply(InvalidStates.valid())))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> {
          assertThat(e.violations()).hasSize(1);
          Violation violation = e.violations().get(0);
          assertThat(violation.path()).isEqualTo(invalid.path());
          // A case's message ending in ": " is the fixed start of a message that quotes a parser.
          if (invalid.message().endsWith(": ")) {
            assertThat(violation.message()).startsWith(invalid.message());
          } else {
            assertThat(violation.message()).isEqualTo(invalid.message());
          }
        });
  }

  /**
   * A prefix the gateway reads as written, only escaped otherwise than its canonical form (lower-case
   * hex, an escaped letter), stays valid: a routing table written before the gateway's normaliser
   * judged prefixes must still load.
   */
  @Test
  void aPrefixEscapedOtherwiseThanTheGatewayWritesItIsValid() throws Exception {
    for (String prefix : new String[] {"/caf%c3%a9", "/%41pi", "/a%7e"}) {
      JsonNode state = InvalidStates.valid();
      TreeEdit.set(state, "routes[0].match.pathPrefix", TextNode.valueOf(prefix));
      StateCodec.read(state);
    }
  }

  @Test
  void theTableCoversAtLeastTwentyFiveCases() {
    assertThat(cases()).hasSizeGreaterThanOrEqualTo(25);
  }

  @Test
  void allProblemsOfOneStateAreReportedTogether() {
    List<InvalidStates.Case> chosen = List.of(InvalidStates.named("wrong apiVersion"),
        InvalidStates.named("revision not a number"), InvalidStates.named("dot-dot segment"),
        InvalidStates.named("too many retries"), InvalidStates.named("password in config"),
        InvalidStates.named("unknown route field"));
    JsonNode state = InvalidStates.valid();
    for (InvalidStates.Case invalid : chosen) {
      state = invalid.apply(state);
    }
    JsonNode broken = state;
    assertThatThrownBy(() -> StateCodec.read(broken))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations())
            .containsExactlyInAnyOrderElementsOf(chosen.stream()
                .map(invalid -> new Violation(invalid.path(), invalid.message())).toList()));
  }

  @Test
  void anIntegrationThatWouldNotFitItsConfigMapIsRefusedNamingItsSource() {
    JsonNode state = InvalidStates.valid();
    String source = "# " + "x".repeat(DocumentSizeRules.MAX_DOCUMENT_BYTES) + "\n"
        + state.at("/integrations/1/source").asText();
    TreeEdit.set(state, "integrations[1].source", TextNode.valueOf(source));
    assertOnlyViolation(state, "integrations[1].source", "makes the integration 100");
  }

  @Test
  void routesThatWouldNotFitTheirConfigMapAreRefused() {
    JsonNode state = InvalidStates.valid();
    ArrayNode routes = (ArrayNode) state.get("routes");
    JsonNode model = routes.get(0);
    for (int i = 0; i < 4000; i++) {
      ObjectNode route = model.deepCopy();
      route.put("id", "generated-" + i);
      ((ObjectNode) route.get("match")).put("pathPrefix", "/generated/" + i);
      routes.add(route);
    }
    assertOnlyViolation(state, "routes", "make the routing table ");
  }

  @Test
  void moreIntegrationsThanADataPlaneRunsAreRefused() {
    JsonNode state = InvalidStates.valid();
    ArrayNode integrations = (ArrayNode) state.get("integrations");
    JsonNode model = integrations.get(1);
    for (int i = integrations.size(); i <= StateValidator.MAX_INTEGRATIONS; i++) {
      ObjectNode integration = model.deepCopy();
      integration.put("name", "generated-" + i);
      integrations.add(integration);
    }
    assertThatThrownBy(() -> StateCodec.read(state))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).singleElement()
            .isEqualTo(new Violation("integrations", "holds 1001 integrations, more than the 1000 one data plane runs")));
  }

  /**
   * Integrations each under their own limit can together pass the 16 MiB a snapshot frame holds: such
   * a state was accepted, then never delivered (the agent dropped each connection that carried it).
   */
  @Test
  void aStateLargerThanOneSnapshotFrameIsRefused() throws Exception {
    JsonNode state = InvalidStates.valid();
    ArrayNode integrations = (ArrayNode) state.get("integrations");
    JsonNode model = integrations.get(1);
    String source = "# " + "x".repeat(DocumentSizeRules.MAX_DOCUMENT_BYTES - 2_000) + "\n" + model.get("source").asText();
    for (int i = 0; i < 17; i++) {
      ObjectNode integration = model.deepCopy();
      integration.put("name", "large-" + i);
      integration.put("source", source);
      integrations.add(integration);
    }
    assertThatThrownBy(() -> StateCodec.read(state))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).singleElement()
            .satisfies(v -> {
              assertThat(v.path()).isEqualTo("integrations");
              assertThat(v.message()).startsWith("make the state 1").contains("more than the 16711680 bytes one snapshot frame");
            }));
    integrations.remove(integrations.size() - 1);
    assertThat(StateCodec.read(state).integrations()).hasSize(integrations.size());
  }

  @Test
  void anIntegrationJustUnderTheLimitIsValid() throws Exception {
    JsonNode state = InvalidStates.valid();
    String source = "# " + "x".repeat(DocumentSizeRules.MAX_DOCUMENT_BYTES - 2_000) + "\n"
        + state.at("/integrations/1/source").asText();
    TreeEdit.set(state, "integrations[1].source", TextNode.valueOf(source));
    assertThat(StateCodec.read(state).integrations().get(1).source()).hasSize(source.length());
  }

  /** Reading {@code state} fails with one violation at {@code path}, a message starting so and naming the limit. */
  private static void assertOnlyViolation(JsonNode state, String path, String messageStart) {
    assertThatThrownBy(() -> StateCodec.read(state))
        .isInstanceOfSatisfying(InvalidStateException.class, e -> assertThat(e.violations()).singleElement()
            .satisfies(v -> {
              assertThat(v.path()).isEqualTo(path);
              assertThat(v.message()).startsWith(messageStart).contains("more than the 1000000 bytes");
            }));
  }
}
