package dev.outpost.spec.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The test vector and example frames in PROTOCOL.md are what this library produces and accepts. */
class ProtocolTestVectorTest {
  static final String PRIVATE_PEM = """
      -----BEGIN PRIVATE KEY-----
      MC4CAQAwBQYDK2VwBCIEIAABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4f
      -----END PRIVATE KEY-----
      """;
  static final String PUBLIC_PEM = """
      -----BEGIN PUBLIC KEY-----
      MCowBQYDK2VwAyEAA6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=
      -----END PUBLIC KEY-----
      """;
  static final String PUBLIC_RAW = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
  static final String KEY_ID = "56475aa75463474c";
  static final String SIGNATURE = "+FNZbNiBS3cMAF5XyMpOafDTqTNo4RsjY1WGaYJqXqqMKizQKYNx0tiDmFlOyOHnFS01EPkf0nvbJenTKR8RCw==";

  static String document;

  @BeforeAll
  static void read() throws Exception {
    document = Files.readString(Path.of("PROTOCOL.md"));
  }

  static String line(String start) {
    return document.lines().filter(l -> l.startsWith(start)).findFirst().orElseThrow();
  }

  @Test
  void theDocumentCarriesTheseValues() {
    assertThat(document).contains(PRIVATE_PEM, PUBLIC_PEM, PUBLIC_RAW, KEY_ID, SIGNATURE);
  }

  @Test
  void theKeysAgree() {
    PublicKey fromPem = Ed25519Keys.publicKeyFromPem(PUBLIC_PEM);
    assertThat(Ed25519Keys.fromRawBase64(PUBLIC_RAW)).isEqualTo(fromPem);
    assertThat(Ed25519Keys.keyId(fromPem)).isEqualTo(KEY_ID);
  }

  @Test
  void theDocumentedFrameDecodesCanonicalisesAndVerifies() throws Exception {
    Snapshot snapshot = (Snapshot) ProtocolCodec.decode(line("{\"type\":\"snapshot\""));

    assertThat(CanonicalJson.toText(snapshot.state())).isEqualTo(line("{\"apiVersion\":\"outpost.dev/v1\",\"dataPlane\":\"local\""));
    assertThat(snapshot.signature().value()).isEqualTo(SIGNATURE);
    new SnapshotVerifier(Ed25519Keys.publicKeyFromPem(PUBLIC_PEM)).verify(snapshot.state(), snapshot.signature());
    new SnapshotAcceptance(new SnapshotVerifier(Ed25519Keys.publicKeyFromPem(PUBLIC_PEM)), "local").accept(snapshot, 0);
  }

  @Test
  void signingIsDeterministic() throws Exception {
    Snapshot snapshot = (Snapshot) ProtocolCodec.decode(line("{\"type\":\"snapshot\""));
    KeyPair keys = new KeyPair(Ed25519Keys.publicKeyFromPem(PUBLIC_PEM), Ed25519Keys.privateKeyFromPem(PRIVATE_PEM));

    assertThat(new SnapshotSigner(keys).sign(snapshot.state()).value()).isEqualTo(SIGNATURE);
  }

  @Test
  void theOtherExampleFramesDecode() throws Exception {
    for (String start : new String[] {"{\"type\":\"hello\"", "{\"type\":\"ack\"", "{\"type\":\"nack\"",
        "{\"type\":\"status\"", "{\"type\":\"statusAck\"", "{\"type\":\"ping\"", "{\"type\":\"pong\""}) {
      String frame = line(start);
      assertThat(ProtocolCodec.encode(ProtocolCodec.decode(frame))).isEqualTo(frame);
    }
  }
}
