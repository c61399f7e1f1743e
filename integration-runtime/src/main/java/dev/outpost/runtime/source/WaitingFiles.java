package dev.outpost.runtime.source;

import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.runtime.deploy.IntegrationDeployer;
import dev.outpost.runtime.status.IntegrationStatus;
import dev.outpost.runtime.status.StatusRegistry;
import dev.outpost.spec.model.Integration;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Says which of the directory's changed files wait while the deployer is held up by a slow
 * deployment (a bean that blocks while Camel creates it, which nothing can interrupt): each one's
 * integration is reported {@code Deploying}, "waiting: integration x has been loading for 40 s". The
 * directory's files are applied one at a time by one thread, the one held up, so a file written
 * meanwhile had no status at all, and {@code ./outpost deploy} gave up after 45 s naming nothing.
 * {@link #look} runs on a thread of its own and reads the directory only while the deployer is held
 * up; what it reports, the file's own deployment overwrites once its turn comes.
 */
final class WaitingFiles {

  /** A status this reported, and the one it replaced (null for none). */
  private record Shown(IntegrationStatus reported, IntegrationStatus replaced) {}

  private final Path dir;
  private final IntegrationDeployer deployer;
  private final IntegrationJson json;
  private final StatusRegistry statuses;
  /** The directory source's digests of the files it has applied, by name. */
  private final Map<String, String> appliedDigests;
  /** The file the directory's thread is applying, and its digest; null between files. */
  private String taking;
  private String takingDigest;
  private final Map<String, Shown> shown = new HashMap<>();

  WaitingFiles(Path dir, IntegrationDeployer deployer, IntegrationJson json, StatusRegistry statuses,
      Map<String, String> appliedDigests) {
    this.dir = dir;
    this.deployer = deployer;
    this.json = json;
    this.statuses = statuses;
    this.appliedDigests = appliedDigests;
  }

  /** The directory's thread applies {@code name}'s file of {@code digest} now: its own status follows. */
  synchronized void taking(String name, String digest) {
    taking = name;
    takingDigest = digest;
    shown.remove(name);
  }

  /** The file being applied is done, and its digest among the applied ones. */
  synchronized void taken() {
    taking = null;
    takingDigest = null;
  }

  /**
   * Once a scan is done: a file said to wait that was removed before its turn leaves its name's
   * status as it was before, unless something else has reported on it since.
   */
  synchronized void forgetGone(Set<String> present) {
    for (Iterator<Map.Entry<String, Shown>> entries = shown.entrySet().iterator(); entries.hasNext(); ) {
      Map.Entry<String, Shown> entry = entries.next();
      if (present.contains(entry.getKey())) {
        continue;
      }
      entries.remove();
      if (statuses.get(entry.getKey()).filter(entry.getValue().reported()::equals).isPresent()) {
        if (entry.getValue().replaced() == null) {
          statuses.remove(entry.getKey());
        } else {
          statuses.put(entry.getValue().replaced());
        }
      }
    }
  }

  /** While the deployer is held up, reports each changed file of the directory waiting. */
  void look() {
    Optional<String> why = deployer.heldUpBy();
    if (why.isEmpty() || !Files.isDirectory(dir)) {
      return;
    }
    try (Stream<Path> files = Files.list(dir)) {
      for (Path file : files.toList()) {
        String name = DirectorySource.integrationName(file);
        DirectorySource.FileText text = name == null ? null : DirectorySource.read(file);
        if (text != null && text.text() != null) {
          readable(name, text.text()).ifPresent(integration -> report(integration, text.digest(), why.get()));
        }
      }
    } catch (IOException e) {
      // the scan that follows says what is wrong with the directory
    }
  }

  /** The integration of a file that holds a valid one under its own name; the file's deployment tells of the others. */
  private Optional<Integration> readable(String name, String text) {
    try {
      Integration integration = json.read(text);
      return name.equals(integration.name()) ? Optional.of(integration) : Optional.empty();
    } catch (DeployException invalid) {
      return Optional.empty();
    }
  }

  private synchronized void report(Integration integration, String digest, String why) {
    String name = integration.name();
    if (digest.equals(appliedDigests.get(name)) || (name.equals(taking) && digest.equals(takingDigest))) {
      return;
    }
    IntegrationStatus replaced = shown.containsKey(name) ? shown.get(name).replaced() : statuses.get(name).orElse(null);
    deployer.reportWaiting(integration, why);
    statuses.get(name).ifPresent(reported -> shown.put(name, new Shown(reported, replaced)));
  }
}
