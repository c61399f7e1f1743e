package dev.outpost.spec.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.state.StateCodec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotSignatureTest {
  static final KeyPair CONTROL_PLANE = Ed25519Keys.generate();
  static final KeyPair ATTACKER = Ed25519Keys.generate();

  final SnapshotSigner signer = new SnapshotSigner(CONTROL_PLANE);
  final SnapshotVerifier verifier = new SnapshotVerifier(CONTROL_PLANE.getPublic());

  static JsonNode example() throws Exception {
    DataPlaneState state = StateCodec.readYaml(Files.readString(Path.of("..", "examples", "two-projects.yaml")));
    return StateCodec.toTree(state);
  }

  @Test
  void verifiesOnAnEqualDocumentWrittenDifferently() throws Exception {
    JsonNode state = example();
    SnapshotSignature signature = signer.sign(state);

    // the same document as YAML, re-read: other key order, other whitespace
    JsonNode reread = Mappers.YAML.readTree(StateCodec.toYaml(StateCodec.read(state)));
    assertThatCode(() -> verifier.verify(reread, signature)).doesNotThrowAnyException();
    assertThat(signature.algorithm()).isEqualTo("Ed25519");
    assertThat(signature.keyId()).isEqualTo(Ed25519Keys.keyId(CONTROL_PLANE.getPublic())).hasSize(16);
    assertThat(Base64.getDecoder().decode(signature.value())).hasSize(64);
  }

  @Test
  void failsOnOneFlippedByteOfTheDocument() throws Exception {
    JsonNode state = example();
    SnapshotSignature signature = signer.sign(state);
    byte[] text = Mappers.JSON.writeValueAsBytes(state);
    String original = new String(text, StandardCharsets.UTF_8);
    int at = original.indexOf("/customers") + 2;
    text[at] ^= 0x01; // "/customers" -> "/ctstomers"

    JsonNode tampered = Mappers.JSON.readTree(text);
    assertThat(tampered).isNotEqualTo(state);
    assertThatThrownBy(() -> verifier.verify(tampered, signature))
        .isInstanceOf(SignatureRejectedException.class)
        .hasMessage("signature does not match the state (key " + signature.keyId() + ")");
  }

  @Test
  void failsOnOneFlippedByteOfTheSignature() throws Exception {
    JsonNode state = example();
    SnapshotSignature signature = signer.sign(state);
    byte[] value = Base64.getDecoder().decode(signature.value());
    value[10] ^= 0x01;
    SnapshotSignature flipped =
        new SnapshotSignature(signature.algorithm(), signature.keyId(), Base64.getEncoder().encodeToString(value));

    assertThatThrownBy(() -> verifier.verify(state, flipped)).isInstanceOf(SignatureRejectedException.class)
        .hasMessageStartingWith("signature does not match");
  }

  @Test
  void failsOnAnotherKey() throws Exception {
    JsonNode state = example();
    SnapshotSignature byAttacker = new SnapshotSigner(ATTACKER).sign(state);

    assertThatThrownBy(() -> verifier.verify(state, byAttacker)).isInstanceOf(SignatureRejectedException.class)
        .hasMessageStartingWith("signed by unknown key \"" + Ed25519Keys.keyId(ATTACKER.getPublic()) + "\"");
    SnapshotSignature posingAsControlPlane =
        new SnapshotSignature("Ed25519", Ed25519Keys.keyId(CONTROL_PLANE.getPublic()), byAttacker.value());
    assertThatThrownBy(() -> verifier.verify(state, posingAsControlPlane))
        .isInstanceOf(SignatureRejectedException.class).hasMessageStartingWith("signature does not match");
  }

  @Test
  void failsOnAnOlderRevisionResignedWithAnotherKey() throws Exception {
    ObjectNode current = (ObjectNode) example();
    assertThatCode(() -> verifier.verify(current, signer.sign(current))).doesNotThrowAnyException();

    ObjectNode older = current.deepCopy();
    older.put("revision", current.get("revision").asLong() - 1);
    SnapshotSignature resigned = new SnapshotSigner(ATTACKER).sign(older);
    assertThatThrownBy(() -> verifier.verify(older, resigned)).isInstanceOf(SignatureRejectedException.class);
    SnapshotSignature resignedPosing =
        new SnapshotSignature("Ed25519", signer.keyId(), resigned.value());
    assertThatThrownBy(() -> verifier.verify(older, resignedPosing)).isInstanceOf(SignatureRejectedException.class);
    // and the control plane's signature of the current revision does not cover the older one
    SnapshotSignature currentSignature = signer.sign(current);
    assertThatThrownBy(() -> verifier.verify(older, currentSignature)).isInstanceOf(SignatureRejectedException.class);
  }

  @Test
  void rejectsUnsignedAndForeignAlgorithms() throws Exception {
    JsonNode state = example();
    SnapshotSignature signature = signer.sign(state);

    assertThatThrownBy(() -> verifier.verify(state, null)).hasMessage("snapshot is not signed");
    assertThatThrownBy(() -> verifier.verify(state, new SnapshotSignature("HS256", signature.keyId(), signature.value())))
        .hasMessage("unsupported signature algorithm \"HS256\"; only Ed25519 is accepted");
    assertThatThrownBy(() -> verifier.verify(state, new SnapshotSignature("Ed25519", signature.keyId(), "%%%")))
        .hasMessage("signature value is not valid base64");
  }

  /**
   * The verifier is handed what a sender wrote: it quotes its first characters only. Before, an
   * unknown key id of 4 MiB was repeated whole in the nack, the agent's log line and its audit
   * record, once per frame, until the agent ran out of memory.
   */
  @Test
  void quotesAHugeAlgorithmOrKeyIdByItsFirstCharactersOnly() throws Exception {
    JsonNode state = example();
    SnapshotSignature signature = signer.sign(state);
    String huge = "K".repeat(4 * 1024 * 1024);

    assertThatThrownBy(() -> verifier.verify(state, new SnapshotSignature("Ed25519", huge, signature.value())))
        .hasMessageStartingWith("signed by unknown key \"" + "K".repeat(40) + "…\" (4194304 characters); trusted keys: ")
        .message().hasSizeLessThan(200);
    assertThatThrownBy(() -> verifier.verify(state, new SnapshotSignature(huge, signature.keyId(), signature.value())))
        .hasMessageStartingWith("unsupported signature algorithm \"" + "K".repeat(40) + "…\" (4194304 characters)")
        .message().hasSizeLessThan(200);
  }

  /** A state is canonicalised before its signature is checked: the path of a value it cannot carry is the sender's. */
  @Test
  void namesAHugePathItCannotCanonicaliseByItsFirstCharactersOnly() throws Exception {
    ObjectNode state = (ObjectNode) example();
    SnapshotSignature signature = signer.sign(state);
    state.putObject("K".repeat(4 * 1024 * 1024)).put("x", 1.5);

    assertThatThrownBy(() -> verifier.verify(state, signature))
        .hasMessageStartingWith("state cannot be canonicalised: KKKK").hasMessageEndingWith(": 1.5 is not an integer; canonical JSON carries integers only")
        .message().hasSizeLessThan(400);
  }

  @Test
  void rejectsAStateThatCannotBeCanonicalised() throws Exception {
    ObjectNode state = (ObjectNode) example();
    SnapshotSignature signature = signer.sign(state);
    state.put("revision", 42.5);

    assertThatThrownBy(() -> verifier.verify(state, signature))
        .hasMessage("state cannot be canonicalised: revision: 42.5 is not an integer; canonical JSON carries integers only");
  }

  @Test
  void acceptsAnyOfSeveralTrustedKeysForRotation() throws Exception {
    KeyPair next = Ed25519Keys.generate();
    SnapshotVerifier rotating = new SnapshotVerifier(List.of(CONTROL_PLANE.getPublic(), next.getPublic()));
    JsonNode state = example();

    assertThatCode(() -> rotating.verify(state, new SnapshotSigner(next).sign(state))).doesNotThrowAnyException();
    assertThatCode(() -> rotating.verify(state, signer.sign(state))).doesNotThrowAnyException();
  }
}
