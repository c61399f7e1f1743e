package dev.outpost.controlplane;

import jakarta.inject.Singleton;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The two bearer tokens this control plane checks: the data plane's (agents on {@code
 * /v1/connect}) and the admin's (the REST API). Read once at start; a missing token fails the
 * start with the key to set.
 */
@Singleton
public class Tokens {
  private final byte[] dataPlane;
  private final byte[] admin;

  public Tokens(ControlPlaneConfig config) throws IOException {
    this.dataPlane = load(config.dataPlaneToken(), config.dataPlaneTokenFile(), "outpost.cp.data-plane-token-file");
    this.admin = load(config.adminToken(), config.adminTokenFile(), "outpost.cp.admin-token-file");
  }

  private static byte[] load(Optional<String> inline, Path file, String key) throws IOException {
    String token = inline.filter(t -> !t.isBlank()).orElse(null);
    if (token == null) {
      if (!Files.isRegularFile(file)) {
        throw new IllegalStateException(key + ": no token file at " + file.toAbsolutePath()
            + " (the launcher writes it; or set the token itself)");
      }
      token = Files.readString(file).trim();
    }
    if (token.length() < 16) {
      throw new IllegalStateException(key + ": the token must have at least 16 characters");
    }
    return token.getBytes(StandardCharsets.UTF_8);
  }

  public boolean isDataPlane(String authorization) {
    return matches(authorization, dataPlane);
  }

  public boolean isAdmin(String authorization) {
    return matches(authorization, admin);
  }

  private static boolean matches(String authorization, byte[] expected) {
    if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    byte[] presented = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
    return MessageDigest.isEqual(presented, expected);
  }
}
