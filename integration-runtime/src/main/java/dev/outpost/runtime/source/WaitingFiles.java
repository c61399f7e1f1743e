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
import java.util.List;
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
 * up; what it reports, the file's own deployment overwrites once its turn comes. A file whose turn
 * never comes (removed, or back to the bytes applied before it changed) has its name's status put
 * back, unless something else has reported on it since. Each status it reports goes with the
 * digest of the file it tells of ({@link #digestOf}), as does the status the directory's thread
 * reports while it waits to apply a file itself.
 */
final class WaitingFiles {

  /** A status this reported for the file of {@code digest}, and the one it replaced (null for none). */
  private record Shown(IntegrationStatus reported, IntegrationStatus replaced, String digest) {}

  private final Path dir;
  private final IntegrationDeployer deployer;
  private final IntegrationJson json;
  private final StatusRegistry statuses;
  /** The directory source's digests of the files it has applied, by name. */
  private final Map<String, String> appliedDigests;
  /** The file the directory's thread is applying, and its digest; null between files. */
  private String taking;
  private String takingDigest;
  /** What the directory's thread reported while the file it is applying waited for the deployer; null for none. */
  private IntegrationStatus takingReported;
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
    takingReported = null;
    shown.remove(name);
  }

  /** The directory's thread reported {@code status} while the file it is applying waits for the deployer. */
  synchronized void takingWaits(IntegrationStatus status) {
    if (status.name().equals(taking)) {
      takingReported = status;
    }
  }

  /** The file being applied is done, and its digest among the applied ones. */
  synchronized void taken() {
    taking = null;
    takingDigest = null;
    takingReported = null;
  }

  /**
   * The digest of the file {@code status} tells of, when it is a status said of a file waiting (the
   * very one); empty for any other, which tells of the file last applied under its name.
   */
  synchronized Optional<String> digestOf(IntegrationStatus status) {
    if (status == takingReported) {
      return Optional.of(takingDigest);
    }
    Shown said = shown.get(status.name());
    return said != null && said.reported() == status ? Optional.of(said.digest()) : Optional.empty();
  }

  /**
   * Once a scan is done: a file said to wait that will not be applied, since it was removed or is
   * back to the bytes applied before (a rollback writes the same bytes), has its name's status put
   * back. A file that differs from the one applied still waits: a later scan applies it.
   */
  synchronized void settle(Set<String> present) {
    for (String name : List.copyOf(shown.keySet())) {
      if (!present.contains(name) || backToApplied(name)) {
        putBack(name);
      }
    }
  }

  private boolean backToApplied(String name) {
    DirectorySource.FileText now = DirectorySource.read(dir.resolve(name + ".json"));
    return now != null && now.digest() != null && now.digest().equals(appliedDigests.get(name));
  }

  /**
   * Says again what {@code name}'s status said before its file was said to wait, unless something
   * else has reported on it since (an admin API deploy of the name, the file's own deployment).
   */
  private void putBack(String name) {
    Shown said = shown.remove(name);
    if (said != null) {
      statuses.replace(name, said.reported(), said.replaced());
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

  /**
   * Reports the file of {@code digest} waiting, unless it is the one applied (put back what its status
   * said, if it was said to wait) or the one being applied (its deployment says). The status is
   * written only over the one read here, so that what it replaced, to be put back, is exactly that.
   */
  private synchronized void report(Integration integration, String digest, String why) {
    String name = integration.name();
    if (digest.equals(appliedDigests.get(name))) {
      putBack(name);
      return;
    }
    if (name.equals(taking) && digest.equals(takingDigest)) {
      return;
    }
    IntegrationStatus current = statuses.get(name).orElse(null);
    Shown said = shown.get(name);
    // said again (its seconds go on): what to put back stays what it first replaced
    IntegrationStatus replaced = said != null && said.reported() == current ? said.replaced() : current;
    IntegrationStatus reported = IntegrationDeployer.waiting(integration, why);
    if (statuses.replace(name, current, reported)) {
      shown.put(name, new Shown(reported, replaced, digest));
    }
  }
}
