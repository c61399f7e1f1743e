package dev.outpost.runtime.secret;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.spec.model.SecretRef;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * Reads secret values from the secrets directory: {@code <dir>/<secret>/<key>}, the layout of a
 * Kubernetes Secret volume and of {@code $OUTPOST_HOME/secrets}. One trailing newline is dropped
 * (files written by hand usually end with one). Values are read at deploy time, again when the
 * directory changes ({@link dev.outpost.runtime.deploy.SecretRotation}), and never logged.
 */
@ApplicationScoped
public class SecretStore {

  /** {@code <secret>/<key>}, and in a Secret volume {@code <secret>/..<timestamp>/<key>} behind its links. */
  private static final int STAMP_DEPTH = 3;

  private final Path root;

  SecretStore(RuntimeConfig config) {
    this.root = config.secretsDir();
  }

  /**
   * A fingerprint of the secrets directory (every file's path, size and modification time, links
   * followed as a Kubernetes Secret volume's are): it changes when a secret is created, removed or
   * rotated, which is when the values running integrations were given are read again.
   */
  public long stamp() {
    if (!Files.isDirectory(root)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(root, STAMP_DEPTH, FileVisitOption.FOLLOW_LINKS)) {
      long stamp = 1;
      for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
        stamp = 31 * stamp + file.hashCode();
        stamp = 31 * stamp + Files.size(file);
        stamp = 31 * stamp + Files.getLastModifiedTime(file).toMillis();
      }
      return stamp;
    } catch (IOException | UncheckedIOException e) {
      // a file going while it is walked: the next scan reads it again
      return -1;
    }
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
