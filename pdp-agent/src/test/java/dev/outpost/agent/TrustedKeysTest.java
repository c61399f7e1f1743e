package dev.outpost.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.protocol.SnapshotAcceptance;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** A key rotation as an operator runs it: the old and the new key pinned together. */
class TrustedKeysTest {
  static final SnapshotSigner OLD = new SnapshotSigner(Ed25519Keys.generate());
  static final SnapshotSigner NEW = new SnapshotSigner(Ed25519Keys.generate());

  static String pem(SnapshotSigner signer) {
    return Ed25519Keys.toPem(signer.keys().getPublic());
  }

  static String raw(SnapshotSigner signer) {
    return Ed25519Keys.toRawBase64(signer.keys().getPublic());
  }

  /** The pinned text with {@code OLD} and {@code NEW} written in for the two keys. */
  @ParameterizedTest
  @ValueSource(strings = {"OLD_PEMNEW_PEM", "OLD_PEM\nNEW_PEM\n", "OLD_RAW\nNEW_RAW\n", "OLD_RAW,NEW_RAW", "OLD_RAW, NEW_RAW"})
  void snapshotsSignedWithEitherPinnedKeyAreAccepted(String pinned) throws Exception {
    String text = pinned.replace("OLD_PEM", pem(OLD)).replace("NEW_PEM", pem(NEW))
        .replace("OLD_RAW", raw(OLD)).replace("NEW_RAW", raw(NEW));
    SnapshotAcceptance acceptance = new SnapshotAcceptance(new SnapshotVerifier(TrustedKeys.parse(text)),
        TestStates.DATA_PLANE);

    assertThat(acceptance.accept(Snapshot.signed(StateCodec.toTree(TestStates.state(1, "orders")), OLD), 0)
        .revision()).isEqualTo(1);
    assertThat(acceptance.accept(Snapshot.signed(StateCodec.toTree(TestStates.state(2, "orders")), NEW), 1)
        .revision()).isEqualTo(2);
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "OLD_PEM-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----| key 2 of 2",
      "OLD_PEMsome note the operator left| found other text: some note",
      "OLD_RAW,not-a-key| key 2 of 2: public key is not valid base64",
      "' , '| no key found"})
  void aPinnedTextThatIsNotAllKeysSaysWhichPartIsWrong(String pinned, String message) {
    String text = pinned.replace("\\n", "\n").replace("OLD_PEM", pem(OLD)).replace("OLD_RAW", raw(OLD));
    assertThatThrownBy(() -> TrustedKeys.parse(text)).hasMessageContaining(message.strip());
  }
}
