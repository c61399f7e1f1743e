package dev.outpost.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Optional;

/**
 * The values the agent reads from files at start (tokens, the pinned key), resolved against the
 * home directory. Each failure names the configuration key to fix.
 */
final class AgentSettings {
  private AgentSettings() {}

  static Path resolve(AgentConfig config, Path path) {
    return path.isAbsolute() ? path : config.home().resolve(path);
  }

  static String controlPlaneToken(AgentConfig config) {
    return config.controlPlane().token().filter(t -> !t.isBlank())
        .orElseGet(() -> read(resolve(config, config.controlPlane().tokenFile()), "outpost.agent.control-plane.token-file")
            .orElseThrow(() -> new IllegalStateException("outpost.agent.control-plane.token-file: no data plane token at "
                + resolve(config, config.controlPlane().tokenFile()) + " (or set outpost.agent.control-plane.token)")));
  }

  static Optional<String> auditToken(AgentConfig config) {
    return config.audit().token().filter(t -> !t.isBlank())
        .or(() -> read(resolve(config, config.audit().tokenFile()), "outpost.agent.audit.token-file"));
  }

  /** The pinned control-plane keys: one, or several while the control plane rotates its key. */
  static List<PublicKey> controlPlaneKeys(AgentConfig config) {
    Path file = resolve(config, config.controlPlane().publicKeyFile());
    String text = config.controlPlane().publicKey().filter(k -> !k.isBlank())
        .or(() -> read(file, "outpost.agent.control-plane.public-key-file"))
        .orElseThrow(() -> new IllegalStateException("outpost.agent.control-plane.public-key-file: no pinned control-plane "
            + "public key at " + file + "; pin it with: curl -fsS http://127.0.0.1:7070/v1/public-key > " + file
            + " (or set outpost.agent.control-plane.public-key)"));
    try {
      return TrustedKeys.parse(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("outpost.agent.control-plane.public-key: not Ed25519 public keys (PEM blocks or "
          + "raw base64): " + e.getMessage(), e);
    }
  }

  private static Optional<String> read(Path file, String key) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      String value = Files.readString(file).trim();
      return value.isEmpty() ? Optional.empty() : Optional.of(value);
    } catch (IOException e) {
      throw new IllegalStateException(key + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
