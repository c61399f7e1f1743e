package dev.outpost.spec.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.state.Violation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ProtocolCodecTest {

  static JsonNode exampleState() throws Exception {
    String yaml = Files.readString(Path.of("..", "examples", "orders-jwt.yaml"));
    return Mappers.JSON.readTree(StateCodec.toJson(StateCodec.readYaml(yaml)));
  }

  static List<ProtocolMessage> messages() throws Exception {
    return List.of(
        new Hello(1, "acme-prod", "0.1.0", 41, List.of("kubernetes", "status-ack")),
        new Hello(1, "local", "0.1.0", 0, List.of()),
        Snapshot.signed(exampleState(), new SnapshotSigner(Ed25519Keys.generate())),
        new Snapshot(1, exampleState(), null),
        new Ack(42),
        new Nack(42, List.of(new Violation("signature", "snapshot is not signed"),
            new Violation("state.routes[0].match.pathPrefix", "must start with \"/\""))),
        new Nack(0, List.of(new Violation("", "not valid JSON"))),
        new Status(7, "acme-prod", Instant.parse("2026-11-23T11:30:00.123Z"), 42, 43,
            List.of(new Status.IntegrationStatus("orders-api", "shop", "2.3.0", "Ready", 2, 2, null),
                new Status.IntegrationStatus("poller", "shop", "1", "Failed", 0, 1, "Failed to resolve endpoint: ftp://x")),
            new Status.GatewayStatus(42, 2, true)),
        new Status(1, "local", Instant.parse("2026-11-23T11:30:00Z"), 0, 0, List.of(), new Status.GatewayStatus(0, 0, false)),
        new StatusAck(7),
        new Ping("n-1"),
        new Pong("n-1"));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void everyMessageRoundTrips(ProtocolMessage message) throws Exception {
    String frame = ProtocolCodec.encode(message);

    assertThat(frame).startsWith("{\"type\":\"" + message.type() + "\"").doesNotContain("\n");
    assertThat(ProtocolCodec.decode(frame)).isEqualTo(message);
    assertThat(ProtocolCodec.encode(ProtocolCodec.decode(frame))).isEqualTo(frame);
  }

  @Test
  void writesTheDocumentedFieldNames() {
    assertThat(ProtocolCodec.encode(new Hello(1, "local", "0.1.0", 0, List.of("local"))))
        .isEqualTo("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"local\",\"agentVersion\":\"0.1.0\","
            + "\"lastAppliedRevision\":0,\"capabilities\":[\"local\"]}");
    assertThat(ProtocolCodec.encode(new Status(3, "local", Instant.parse("2026-11-23T11:30:00Z"), 2, 2,
        List.of(new Status.IntegrationStatus("hello", "demo", "1.0.0", "Ready", 1, 1, null)),
        new Status.GatewayStatus(2, 1, true))))
        .isEqualTo("{\"type\":\"status\",\"seq\":3,\"dataPlane\":\"local\",\"observedAt\":\"2026-11-23T11:30:00Z\","
            + "\"lastAppliedRevision\":2,\"lastAttemptedRevision\":2,\"integrations\":[{\"name\":\"hello\","
            + "\"project\":\"demo\",\"version\":\"1.0.0\",\"phase\":\"Ready\",\"readyReplicas\":1,\"desiredReplicas\":1}],"
            + "\"gateway\":{\"revision\":2,\"routes\":1,\"ready\":true}}");
  }

  @Test
  void ignoresFieldsItDoesNotKnowSoPeersCanEvolve() throws Exception {
    assertThat(ProtocolCodec.decode("{\"type\":\"ping\",\"nonce\":\"a\",\"sentAt\":\"later\"}")).isEqualTo(new Ping("a"));
  }

  @Test
  void keepsTheSnapshotStateExactlyAsReceived() throws Exception {
    String frame = "{\"type\":\"snapshot\",\"revision\":5,\"state\":{\"z\":1,\"a\":[3,2,1],\"unknown\":{\"b\":2}}}";
    Snapshot snapshot = (Snapshot) ProtocolCodec.decode(frame);

    assertThat(snapshot.state().toString()).isEqualTo("{\"z\":1,\"a\":[3,2,1],\"unknown\":{\"b\":2}}");
    assertThat(snapshot.signature()).isNull();
  }

  static final String TYPES = "must be one of hello, snapshot, ack, nack, status, statusAck, ping, pong";
  static final String STATUS = "{\"type\":\"status\",\"seq\":1,\"dataPlane\":\"local\",\"observedAt\":\"2026-11-23T11:30:00Z\","
      + "\"lastAppliedRevision\":1,\"lastAttemptedRevision\":1,\"integrations\":[%s],\"gateway\":%s}";
  static final String SIGNED = "{\"type\":\"snapshot\",\"revision\":1,\"state\":{},\"signature\":{%s}}";
  static final String KEY_ID = "must be a key id: 16 lower-case hex characters";
  static final String READY = "{\"name\":\"a\",\"project\":\"p\",\"version\":\"1\",\"phase\":\"%s\","
      + "\"readyReplicas\":1,\"desiredReplicas\":1}";

  static List<Arguments> malformed() {
    return List.of(
        Arguments.of("{\"type\":\"ping\",", "", "not valid JSON: "),
        Arguments.of("", "", "must be a JSON object"),
        // one frame, one message: a second one merged into it was dropped unseen
        Arguments.of("{\"type\":\"statusAck\",\"seq\":3}{\"type\":\"snapshot\",\"revision\":7}", "", "not valid JSON"),
        Arguments.of("{\"type\":\"ping\",\"nonce\":\"a\"} ]]]", "", "not valid JSON"),
        Arguments.of("[{\"type\":\"ping\"}]", "", "must be a JSON object, found a list"),
        Arguments.of("\"ping\"", "", "must be a JSON object, found a string"),
        Arguments.of("{\"nonce\":\"a\"}", "type", "is required"),
        Arguments.of("{\"type\":\"hello2\"}", "type", TYPES + ", found \"hello2\""),
        Arguments.of("{\"type\":7}", "type", TYPES + ", found the number 7"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":1,\"agentVersion\":\"1\",\"lastAppliedRevision\":0}",
            "dataPlane", "is required"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":\"1\",\"dataPlane\":\"x\",\"agentVersion\":\"1\",\"lastAppliedRevision\":0}",
            "protocol", "must be an integer, found a string"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":0,\"dataPlane\":\"x\",\"agentVersion\":\"1\",\"lastAppliedRevision\":0}",
            "protocol", "must be at least 1"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"x\",\"agentVersion\":\"1\",\"lastAppliedRevision\":-1}",
            "lastAppliedRevision", "must be at least 0"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"x\",\"agentVersion\":\"\",\"lastAppliedRevision\":0}",
            "agentVersion", "must not be empty"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"x\",\"agentVersion\":\"1\",\"lastAppliedRevision\":0,"
            + "\"capabilities\":\"k8s\"}", "capabilities", "must be a list, found a string"),
        Arguments.of("{\"type\":\"snapshot\",\"revision\":1}", "state", "is required"),
        Arguments.of("{\"type\":\"snapshot\",\"revision\":1,\"state\":[]}", "state", "must be an object, found a list"),
        Arguments.of("{\"type\":\"snapshot\",\"revision\":0,\"state\":{}}", "revision", "must be at least 1"),
        Arguments.of("{\"type\":\"snapshot\",\"revision\":1,\"state\":{},\"signature\":\"abc\"}", "signature",
            "must be an object, found a string"),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":\"0123456789abcdef\""),
            "signature.value", "is required"),
        // PROTOCOL.md sections 3.2 and 9: the one algorithm, a key id of 16 lower-case hex characters
        Arguments.of(SIGNED.formatted("\"algorithm\":\"HS256\",\"keyId\":\"0123456789abcdef\",\"value\":\"\""),
            "signature.algorithm", "must be \"Ed25519\", found \"HS256\""),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":\"k\",\"value\":\"\""),
            "signature.keyId", KEY_ID + ", found \"k\""),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":\"0123456789ABCDEF\",\"value\":\"\""),
            "signature.keyId", KEY_ID + ", found \"0123456789ABCDEF\""),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":\"0123456789abcdef0\",\"value\":\"\""),
            "signature.keyId", KEY_ID),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":7,\"value\":\"\""),
            "signature.keyId", "must be a string, found the number 7"),
        Arguments.of("{\"type\":\"ack\"}", "revision", "is required"),
        Arguments.of("{\"type\":\"ack\",\"revision\":1.5}", "revision", "must be an integer, found the number 1.5"),
        Arguments.of("{\"type\":\"ack\",\"revision\":null}", "revision", "must be an integer, found null"),
        // PROTOCOL.md: every number in ±(2^53 − 1); a larger one was taken as it was (2^63 − 1 as a revision)
        Arguments.of("{\"type\":\"ack\",\"revision\":9007199254740992}", "revision",
            "must be at most 9007199254740991 (2^53 - 1)"),
        Arguments.of("{\"type\":\"statusAck\",\"seq\":9223372036854775807}", "seq",
            "must be at most 9007199254740991 (2^53 - 1)"),
        Arguments.of("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"x\",\"agentVersion\":\"1\","
            + "\"lastAppliedRevision\":9007199254740993}", "lastAppliedRevision", "must be at most 9007199254740991"),
        Arguments.of("{\"type\":\"nack\",\"revision\":3,\"errors\":[]}", "errors", "must list at least one error"),
        Arguments.of("{\"type\":\"nack\",\"revision\":3,\"errors\":[{\"path\":\"\"}]}", "errors[0].message", "is required"),
        Arguments.of(STATUS.formatted("", "{\"routes\":1,\"ready\":true}").replace("2026-11-23T11:30:00Z", "yesterday"),
            "observedAt", "must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00Z"),
        Arguments.of(STATUS.formatted(READY.formatted("Running"), "{\"routes\":1,\"ready\":true}"),
            "integrations[0].phase", "must be one of Pending, Deploying, Ready, Degraded, Failed, found \"Running\""),
        Arguments.of(STATUS.formatted("", "{\"routes\":1}"), "gateway.ready", "is required"),
        Arguments.of(STATUS.formatted("", "{\"routes\":1,\"ready\":\"yes\"}"), "gateway.ready",
            "must be true or false, found a string"),
        Arguments.of(STATUS.formatted("", "null"), "gateway", "must be an object, found null"),
        Arguments.of("{\"type\":\"statusAck\"}", "seq", "is required"),
        Arguments.of("{\"type\":\"ping\",\"nonce\":\"\"}", "nonce", "must not be empty"),
        Arguments.of("{\"type\":\"ping\",\"nonce\":5}", "nonce", "must be a string, found the number 5"),
        Arguments.of("{\"type\":\"pong\",\"nonce\":\"" + "n".repeat(129) + "\"}", "nonce", "must be at most 128 characters"));
  }

  @ParameterizedTest
  @MethodSource("malformed")
  void malformedFramesAreRejectedNamingWhatIsWrong(String frame, String path, String message) {
    assertThatThrownBy(() -> ProtocolCodec.decode(frame))
        .isInstanceOfSatisfying(MalformedFrameException.class, e -> {
          assertThat(e.violations()).hasSize(1);
          assertThat(e.violations().get(0).path()).isEqualTo(path);
          assertThat(e.violations().get(0).message()).startsWith(message);
          assertThat(e.getMessage()).startsWith("malformed frame: ");
        });
  }

  @Test
  void reportsEveryProblemOfAFrameAtOnce() {
    String frame = STATUS.formatted(READY.formatted("Running"), "{\"routes\":-1,\"ready\":true}").replace("\"seq\":1", "\"seq\":\"1\"");
    assertThatThrownBy(() -> ProtocolCodec.decode(frame))
        .isInstanceOfSatisfying(MalformedFrameException.class, e -> assertThat(e.violations()).extracting(Violation::path)
            .containsExactlyInAnyOrder("seq", "integrations[0].phase", "gateway.routes"));
  }

  /**
   * A frame of millions of bad elements is refused with the first problems and a count of the
   * rest. Before, each became a problem and one message joined them all: about 8 million from a
   * 16 MiB hello, more than an agent's heap, and nobody needs a signing key to send a hello.
   */
  @Test
  void aFrameOfMillionsOfProblemsListsTheFirstAndCountsTheRest() {
    StringBuilder frame = new StringBuilder("{\"type\":\"hello\",\"protocol\":1,\"dataPlane\":\"x\","
        + "\"agentVersion\":\"1\",\"lastAppliedRevision\":0,\"capabilities\":[1");
    for (int i = 1; i < 2_000_000; i++) {
      frame.append(",1");
    }
    frame.append("]}");
    assertThatThrownBy(() -> ProtocolCodec.decode(frame.toString())).isInstanceOfSatisfying(MalformedFrameException.class,
        e -> {
          assertThat(e.violations()).hasSize(dev.outpost.spec.json.Problems.MAX_KEPT + 1);
          assertThat(e.violations().get(0).path()).isEqualTo("capabilities[0]");
          assertThat(e.violations().get(e.violations().size() - 1))
              .isEqualTo(new Violation("", (2_000_000 - dev.outpost.spec.json.Problems.MAX_KEPT) + " more problems not listed"));
        });
  }

  /**
   * A received value is quoted in a problem by its first characters only. Before, a snapshot whose
   * {@code signature.keyId} was 4 MiB was nacked with all of it, which the agent logged and kept in
   * its audit queue for each such frame until it ran out of memory, without any key to sign with.
   */
  static List<Arguments> hugeValues() {
    String huge = "K".repeat(4 * 1024 * 1024);
    return List.of(
        Arguments.of(SIGNED.formatted("\"algorithm\":\"Ed25519\",\"keyId\":\"" + huge + "\",\"value\":\"\""),
            "signature.keyId"),
        Arguments.of(SIGNED.formatted("\"algorithm\":\"" + huge + "\",\"keyId\":\"0123456789abcdef\",\"value\":\"\""),
            "signature.algorithm"),
        Arguments.of("{\"type\":\"" + huge + "\"}", "type"),
        Arguments.of(STATUS.formatted(READY.formatted(huge), "{\"routes\":1,\"ready\":true}"), "integrations[0].phase"),
        Arguments.of("{\"type\":\"ping\",\"nonce\":" + huge + "}", ""));
  }

  @ParameterizedTest
  @MethodSource("hugeValues")
  void quotesAHugeReceivedValueByItsFirstCharactersOnly(String frame, String path) {
    assertThatThrownBy(() -> ProtocolCodec.decode(frame)).isInstanceOfSatisfying(MalformedFrameException.class, e -> {
      assertThat(e.violations()).extracting(Violation::path).containsExactly(path);
      assertThat(e.getMessage()).hasSizeLessThan(400).doesNotContain("K".repeat(300));
    });
  }

  @Test
  void quotesAReceivedValueWithoutItsLineBreaks() {
    assertThatThrownBy(() -> ProtocolCodec.decode("{\"type\":\"ping\\n2026-01-01 INFO forged\"}"))
        .hasMessageEndingWith("found \"ping\\u000a2026-01-01 INFO forged\"").hasMessageNotContaining("\n");
  }

  @Test
  void refusesFramesOver16MiB() {
    String frame = "{\"type\":\"ping\",\"nonce\":\"" + "x".repeat(ProtocolCodec.MAX_FRAME_BYTES) + "\"}";
    assertThatThrownBy(() -> ProtocolCodec.decode(frame)).isInstanceOfSatisfying(MalformedFrameException.class,
        e -> assertThat(e.violations()).containsExactly(new Violation("", "frame is larger than 16777216 bytes")));
    String multiByte = "{\"type\":\"ping\",\"nonce\":\"" + "é".repeat(ProtocolCodec.MAX_FRAME_BYTES / 2) + "\"}";
    assertThatThrownBy(() -> ProtocolCodec.decode(multiByte)).hasMessageContaining("frame is larger than");
  }
}
