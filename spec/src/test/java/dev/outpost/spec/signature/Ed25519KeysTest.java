package dev.outpost.spec.signature;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.security.KeyPair;
import java.security.PublicKey;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class Ed25519KeysTest {
  final KeyPair keys = Ed25519Keys.generate();

  @Test
  void publicKeysRoundTripAsPemAndRawBase64() {
    String pem = Ed25519Keys.toPem(keys.getPublic());
    String raw = Ed25519Keys.toRawBase64(keys.getPublic());

    assertThat(pem).startsWith("-----BEGIN PUBLIC KEY-----\n").endsWith("-----END PUBLIC KEY-----\n");
    assertThat(Ed25519Keys.publicKeyFromPem(pem)).isEqualTo(keys.getPublic());
    assertThat(Ed25519Keys.fromRawBase64(raw)).isEqualTo(keys.getPublic());
    assertThat(java.util.Base64.getDecoder().decode(raw)).hasSize(32);
  }

  @Test
  void privateKeysRoundTripAsPemAndStillSign() throws Exception {
    String pem = Ed25519Keys.toPem(keys.getPrivate());
    KeyPair reloaded = new KeyPair(keys.getPublic(), Ed25519Keys.privateKeyFromPem(pem));

    var state = dev.outpost.spec.json.Mappers.JSON.readTree("{\"revision\":1}");
    new SnapshotVerifier(keys.getPublic()).verify(state, new SnapshotSigner(reloaded).sign(state));
  }

  @Test
  void keyIdIsTheFirst16HexCharactersOfTheSha256OfTheRawKey() throws Exception {
    byte[] raw = Ed25519Keys.raw(keys.getPublic());
    String expected = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(raw))
        .substring(0, 16);

    assertThat(Ed25519Keys.keyId(keys.getPublic())).isEqualTo(expected);
    PublicKey fromRaw = Ed25519Keys.fromRawBase64(Ed25519Keys.toRawBase64(keys.getPublic()));
    assertThat(Ed25519Keys.keyId(fromRaw)).isEqualTo(expected);
  }

  @Test
  void badKeysAreRefusedWithAPlainMessage() {
    assertThatThrownBy(() -> Ed25519Keys.fromRawBase64("AAAA")).hasMessage("a raw Ed25519 public key has 32 bytes, found 3");
    assertThatThrownBy(() -> Ed25519Keys.fromRawBase64("not base64!")).hasMessage("public key is not valid base64");
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem("hello"))
        .hasMessage("not a PEM PUBLIC KEY (expected -----BEGIN PUBLIC KEY----- ... -----END PUBLIC KEY-----)");
    assertThatThrownBy(() -> Ed25519Keys.publicKeyFromPem("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"))
        .hasMessage("not an Ed25519 public key (SPKI)");
  }
}
