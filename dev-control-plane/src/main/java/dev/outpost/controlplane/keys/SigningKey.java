package dev.outpost.controlplane.keys;

import dev.outpost.controlplane.ControlPlaneConfig;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSigner;
import io.quarkus.runtime.Startup;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.security.GeneralSecurityException;

/**
 * The Ed25519 key snapshots are signed with: generated on first start as {@code
 * <data-dir>/snapshot-signing.key} / {@code .pub}, kept across restarts so that agents that pinned
 * its public key keep accepting snapshots.
 */
@Singleton
@Startup
public class SigningKey {
  private final SnapshotSigner signer;

  public SigningKey(ControlPlaneConfig config) throws IOException, GeneralSecurityException {
    this.signer = new SnapshotSigner(KeyFiles.loadOrGenerate(config.dataDir(), "snapshot-signing", "Ed25519", 0));
  }

  public SnapshotSigner signer() {
    return signer;
  }

  /** The public key as PEM (SPKI), what an agent pins. */
  public String publicKeyPem() {
    return Ed25519Keys.toPem(signer.keys().getPublic());
  }

  /** The raw 32-byte public key, base64. */
  public String publicKeyRawBase64() {
    return Ed25519Keys.toRawBase64(signer.keys().getPublic());
  }
}
