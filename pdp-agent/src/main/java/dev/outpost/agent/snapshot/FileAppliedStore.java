package dev.outpost.agent.snapshot;

import dev.outpost.agent.targets.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/** The local store: {@code $OUTPOST_HOME/agent/applied.json}, written atomically; one local agent writes it. */
public final class FileAppliedStore implements AppliedStore {
  private final Path file;

  public FileAppliedStore(Path home) {
    this.file = directory(home).resolve("applied.json");
  }

  /** The directory of the store's file, under {@code home}. */
  public static Path directory(Path home) {
    return home.resolve("agent");
  }

  @Override
  public Optional<String> load() throws IOException {
    // Bytes that are not UTF-8 are a damaged file, refused when verified; only a failed read is an error.
    return Files.isRegularFile(file)
        ? Optional.of(new String(Files.readAllBytes(file), StandardCharsets.UTF_8))
        : Optional.empty();
  }

  @Override
  public void save(String snapshotMessage, long revision) throws IOException {
    AtomicFiles.write(file, snapshotMessage.getBytes(StandardCharsets.UTF_8));
  }
}
