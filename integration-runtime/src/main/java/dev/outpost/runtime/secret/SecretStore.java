package dev.outpost.runtime.secret;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.spec.model.SecretRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads secret values from the secrets directory: {@code <dir>/<secret>/<key>}, the layout of a
 * Kubernetes Secret volume and of {@code $OUTPOST_HOME/secrets}. One trailing newline is dropped
 * (files written by hand usually end with one). Values are read at deploy time and never logged.
 */
@ApplicationScoped
public class SecretStore {

  private final Path root;

  SecretStore(RuntimeConfig config) {
    this.root = config.secretsDir();
  }

  /**
   * The value of one secret key.
   *
   * @throws DeployException when the secret or the key does not exist, naming both (not the value)
   */
  public String read(SecretRef ref) throws DeployException {
    Path file = root.resolve(ref.name()).resolve(ref.key()).normalize();
    if (!file.startsWith(root.normalize()) || !Files.isRegularFile(file)) {
      throw new DeployException("secret '" + ref + "' not found: no key '" + ref.key()
          + "' in secret '" + ref.name() + "' (looked in " + root.resolve(ref.name()) + ")");
    }
    try {
      String value = Files.readString(file, StandardCharsets.UTF_8);
      return value.endsWith("\n") ? value.substring(0, value.length() - 1) : value;
    } catch (IOException e) {
      throw new DeployException("secret '" + ref + "' cannot be read: " + e.getClass().getSimpleName());
    }
  }
}
