package dev.outpost.controlplane.keys;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.Map;

/**
 * {@code GET /v1/public-key}: the snapshot signing public key, so that the launcher can pin it in
 * the agent's configuration. PEM by default ({@code curl ... > control-plane.pub}); JSON with
 * {@code Accept: application/json}.
 */
@Path("/v1/public-key")
public class PublicKeyResource {
  private final SigningKey key;

  public PublicKeyResource(SigningKey key) {
    this.key = key;
  }

  @GET
  @Produces({"application/x-pem-file", MediaType.TEXT_PLAIN})
  public String pem() {
    return key.publicKeyPem();
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> json() {
    return Map.of("algorithm", "Ed25519", "keyId", key.signer().keyId(), "publicKey", key.publicKeyRawBase64(),
        "pem", key.publicKeyPem());
  }
}
