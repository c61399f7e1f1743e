package dev.outpost.spec.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import dev.outpost.spec.state.Violation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import org.junit.jupiter.api.Test;

class SnapshotAcceptanceTest {
  static final KeyPair CONTROL_PLANE = Ed25519Keys.generate();
  final SnapshotSigner signer = new SnapshotSigner(CONTROL_PLANE);
  final SnapshotAcceptance acceptance =
      new SnapshotAcceptance(new SnapshotVerifier(CONTROL_PLANE.getPublic()), "acme-prod");

  /** two-projects.yaml: data plane acme-prod, revision 42, as a control plane would send it. */
  static ObjectNode state() throws Exception {
    String yaml = Files.readString(Path.of("..", "examples", "two-projects.yaml"));
    return (ObjectNode) Mappers.JSON.readTree(ProtocolCodec.encode(
        new Snapshot(42, Mappers.YAML.readTree(yaml), null))).get("state");
  }

  static SnapshotRejectedException rejection(ThrowingAccept accept) {
    try {
      accept.run();
    } catch (SnapshotRejectedException e) {
      return e;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
    throw new AssertionError("the snapshot was accepted");
  }

  interface ThrowingAccept {
    void run() throws Exception;
  }

  @Test
  void acceptsASignedValidNewerSnapshot() throws Exception {
    Snapshot snapshot = (Snapshot) ProtocolCodec.decode(ProtocolCodec.encode(Snapshot.signed(state(), signer)));

    DataPlaneState accepted = acceptance.accept(snapshot, 41);
    assertThat(accepted).isEqualTo(StateCodec.read(state()));
  }

  @Test
  void rejectsAnUnsignedSnapshot() throws Exception {
    SnapshotRejectedException e = rejection(() -> acceptance.accept(new Snapshot(42, state(), null), 0));
    assertThat(e.toNack()).isEqualTo(new Nack(42, java.util.List.of(new Violation("signature", "snapshot is not signed"))));
  }

  @Test
  void rejectsABadlySignedSnapshot() throws Exception {
    ObjectNode state = state();
    Snapshot signed = Snapshot.signed(state, signer);
    ObjectNode tampered = state.deepCopy();
    tampered.put("dataPlane", "acme-prod").withArray("routes").remove(2);
    SnapshotRejectedException e = rejection(() -> acceptance.accept(new Snapshot(42, tampered, signed.signature()), 0));
    assertThat(e.errors()).extracting(Violation::path).containsExactly("signature");
    assertThat(e.errors().get(0).message()).startsWith("signature does not match");
  }

  @Test
  void rejectsAnOlderOrEqualRevision() throws Exception {
    Snapshot snapshot = Snapshot.signed(state(), signer);
    assertThat(rejection(() -> acceptance.accept(snapshot, 43)).errors()).containsExactly(
        new Violation("revision", "revision 42 is not newer than the applied revision 43"));
    assertThat(rejection(() -> acceptance.accept(snapshot, 42)).errors()).containsExactly(
        new Violation("revision", "revision 42 is not newer than the applied revision 42"));
  }

  @Test
  void rejectsAnInvalidStateWithPathsInTheFrame() throws Exception {
    ObjectNode state = state();
    ((ObjectNode) state.withArray("routes").get(0).get("match")).put("pathPrefix", "customers");
    SnapshotRejectedException e = rejection(() -> acceptance.accept(Snapshot.signed(state, signer), 41));
    assertThat(e.errors()).containsExactly(new Violation("state.routes[0].match.pathPrefix", "must start with \"/\""));
  }

  @Test
  void rejectsAStateForAnotherDataPlane() throws Exception {
    ObjectNode state = state();
    state.put("dataPlane", "other-plane");
    SnapshotRejectedException e = rejection(() -> acceptance.accept(new Snapshot(42, state, signer.sign(state)), 41));
    assertThat(e.errors()).containsExactly(new Violation("state.dataPlane", "must be \"acme-prod\" (this data plane)"));
  }

  /**
   * The frame's revision is not signed: a genuine state sent under another revision is refused at
   * the signature, so that it counts as no revision attempted. Before, it passed the signature and
   * the revision checks, and the agent reported 2^53 - 1 as attempted until it restarted.
   */
  @Test
  void rejectsAFrameWhoseRevisionIsNotTheSignedOne() throws Exception {
    ObjectNode state = state();
    Snapshot relabelled = new Snapshot(9007199254740991L, state, signer.sign(state));
    SnapshotRejectedException e = rejection(() -> acceptance.accept(relabelled, 41));
    assertThat(e.errors()).containsExactly(
        new Violation("signature", "covers revision 42, not the frame's revision 9007199254740991"));
    // the signed revision written 42.0: canonically 42, so the signature holds, and it is still 42
    ObjectNode decimal = state();
    decimal.put("revision", new java.math.BigDecimal("42.0"));
    Snapshot relabelledDecimal = new Snapshot(9007199254740991L, decimal, signer.sign(state));
    assertThat(rejection(() -> acceptance.accept(relabelledDecimal, 41)).errors()).containsExactly(
        new Violation("signature", "covers revision 42, not the frame's revision 9007199254740991"));
  }

  @Test
  void recognisesARedeliveryOfTheAppliedSnapshot() throws Exception {
    Snapshot applied = Snapshot.signed(state(), signer);
    JsonNode reformatted = Mappers.JSON.readTree(Mappers.JSON.writeValueAsString(state()));
    ObjectNode changed = state();
    changed.putObject("telemetry").put("logsRetentionDays", 1);

    assertThat(SnapshotAcceptance.isRedelivery(new Snapshot(42, reformatted, applied.signature()), applied)).isTrue();
    assertThat(SnapshotAcceptance.isRedelivery(Snapshot.signed(changed, signer), applied)).isFalse();
    assertThat(SnapshotAcceptance.isRedelivery(applied, null)).isFalse();
  }
}
