package dev.outpost.runtime.source;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.runtime.deploy.Deployment;
import dev.outpost.runtime.deploy.IntegrationDeployer;
import dev.outpost.runtime.deploy.SecretRotation;
import dev.outpost.runtime.secret.SecretStore;
import dev.outpost.runtime.status.IntegrationStatus;
import dev.outpost.runtime.status.StatusRegistry;
import dev.outpost.spec.model.Integration;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Deploys the integrations of a directory of {@code <name>.json} files and keeps them in step: a
 * changed file upgrades its integration, a removed file removes it. The same code reads the agent's
 * local state directory and a mounted ConfigMap (whose files are symlinks swapped at once): it
 * reacts to file-system events and rescans every {@code scan-interval} anyway. A removed file
 * removes only the version this source deployed: one the admin API deployed since under the same
 * name keeps running (the last writer owns the name, as with {@code kubectl apply}). A file whose
 * integration failed on a path another integration served is tried again once that one is removed
 * or changes (by this source or the admin API), as when the agent writes a renamed integration's new
 * file before removing the old one; one that failed for another reason, once after any integration
 * is removed (what it wanted may have been that one's: a port a bean listened on); every failed
 * file, whenever the secrets directory changes, when running integrations whose secrets changed are
 * deployed again ({@link SecretRotation}). Not after every other integration's deploy: a file whose
 * bean blocked a while then held up each deploy after it. While a slow deployment holds the
 * deployer up, the changed files waiting behind it say so ({@link WaitingFiles}).
 */
@ApplicationScoped
public class DirectorySource {

  private static final Logger LOG = Logger.getLogger(DirectorySource.class);
  /** The admin API's body limit: an integration file larger than that is not read. */
  static final long MAX_FILE_BYTES = AdminRoutes.MAX_BODY_BYTES;

  /**
   * A file's text, or why it cannot be read (then {@code text} is null and {@code stamp} tells a
   * later, different unreadable version of the file from this one), and the SHA-256 of its bytes
   * when they were read.
   */
  record FileText(String text, String problem, long stamp, String digest) {}

  /**
   * Why a file's integration failed: what ran under its name then (null for none; another running
   * since is the admin API's, the name's last writer), {@link IntegrationDeployer#removals} then,
   * and the integration whose path it wanted as it ran then (null when it failed for another reason).
   */
  private record Failure(Integration runningAfter, long removals, Deployment pathHolder) {}

  private final IntegrationDeployer deployer;
  private final IntegrationJson json;
  private final RuntimeConfig config;
  private final SecretStore secrets;
  private final SecretRotation rotation;
  private final WaitingFiles waiting;
  private final Map<String, FileText> applied = new HashMap<>();
  /** The SHA-256 of each file once its status tells how applying it went, by name. */
  private final Map<String, String> appliedDigests = new java.util.concurrent.ConcurrentHashMap<>();
  /** The integrations this source deployed that are Ready, by name. */
  private final Map<String, Integration> deployed = new HashMap<>();
  /** The files whose integration failed to deploy, by name. */
  private final Map<String, Failure> failed = new HashMap<>();
  /** {@link SecretStore#stamp} at the last scan. */
  private long secretsStamp = Long.MIN_VALUE;
  private volatile boolean running;
  private volatile boolean appliedOnce;
  private Thread thread;
  private ScheduledExecutorService lookout;

  DirectorySource(IntegrationDeployer deployer, IntegrationJson json, RuntimeConfig config,
      SecretStore secrets, SecretRotation rotation, StatusRegistry statuses) {
    this.deployer = deployer;
    this.json = json;
    this.config = config;
    this.secrets = secrets;
    this.rotation = rotation;
    this.waiting = new WaitingFiles(config.integrationsDir(), deployer, json, statuses, appliedDigests);
  }

  void onStart(@Observes StartupEvent event) {
    running = true;
    thread = new Thread(this::watch, "outpost-integrations-dir");
    thread.setDaemon(true);
    thread.start();
    lookout = Executors.newSingleThreadScheduledExecutor(task -> {
      Thread looking = new Thread(task, "outpost-integrations-waiting");
      looking.setDaemon(true);
      return looking;
    });
    long every = config.scanInterval().toMillis();
    lookout.scheduleWithFixedDelay(this::lookForWaitingFiles, every, every, TimeUnit.MILLISECONDS);
  }

  private void lookForWaitingFiles() {
    try {
      waiting.look();
    } catch (RuntimeException e) {
      // a scheduled task that throws is never run again
      LOG.debugf("looking for integration files waiting failed: %s", e);
    }
  }

  void onStop(@Observes ShutdownEvent event) throws InterruptedException {
    running = false;
    if (lookout != null) {
      lookout.shutdownNow();
    }
    if (thread != null) {
      thread.interrupt();
      thread.join(2000);
    }
  }

  private void watch() {
    Path dir = config.integrationsDir();
    LOG.infof("deploying integrations from %s", dir.toAbsolutePath());
    WatchService watcher = null;
    while (running) {
      try {
        if (watcher == null && Files.isDirectory(dir)) {
          watcher = FileSystems.getDefault().newWatchService();
          dir.register(watcher, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY,
              StandardWatchEventKinds.ENTRY_DELETE);
        }
        scan(dir);
        if (watcher != null) {
          var key = watcher.poll(config.scanInterval().toMillis(), TimeUnit.MILLISECONDS);
          if (key != null) {
            key.pollEvents();
            key.reset();
          }
        } else {
          Thread.sleep(config.scanInterval().toMillis());
        }
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      } catch (IOException | RuntimeException e) {
        LOG.warnf("scanning %s failed: %s", dir, e.toString());
        sleepQuietly();
      }
    }
  }

  /** Applies what changed in {@code dir} since the last scan. Visible for tests. */
  synchronized void scan(Path dir) throws IOException {
    Map<String, FileText> present = new HashMap<>();
    if (Files.isDirectory(dir)) {
      try (Stream<Path> files = Files.list(dir)) {
        for (Path file : files.toList()) {
          String name = integrationName(file);
          FileText text = name == null ? null : read(file);
          if (text != null) {
            present.put(name, text);
          }
        }
      }
    }
    for (Map.Entry<String, FileText> entry : present.entrySet()) {
      if (!entry.getValue().equals(applied.get(entry.getKey()))) {
        String digest = entry.getValue().digest() == null ? "-" : entry.getValue().digest();
        applied.put(entry.getKey(), entry.getValue());
        waiting.taking(entry.getKey(), digest);
        apply(entry.getKey(), entry.getValue());
        appliedDigests.put(entry.getKey(), digest);
        waiting.taken();
      }
    }
    Set<String> gone = new HashSet<>(applied.keySet());
    gone.removeAll(present.keySet());
    for (String name : gone) {
      applied.remove(name);
      appliedDigests.remove(name);
      failed.remove(name);
      removeOwn(name);
    }
    waiting.settle(present.keySet());
    long stamp = secrets.stamp();
    boolean secretsChanged = stamp != secretsStamp;
    if (secretsChanged) {
      // a secret created, rotated or removed: running integrations get the new values, and a file
      // that failed (on a secret missing, say) is tried again
      secretsStamp = stamp;
      rotation.redeployChanged();
    }
    retryFailed(present, secretsChanged);
    appliedOnce = true;
  }

  /**
   * Tries the failed files again: each whose path another integration served once that one has been
   * removed or changed, each that failed for another reason once an integration has been removed
   * since, and all of them when {@code secretsChanged}; again as long as a retry succeeds (it may
   * free a path another waits for). A name the admin API has deployed since is that version's: its
   * file is not tried again until it changes (the last writer owns the name).
   */
  private void retryFailed(Map<String, FileText> present, boolean secretsChanged) {
    boolean all = secretsChanged;
    boolean deployed = true;
    while (deployed) {
      deployed = false;
      for (String name : List.copyOf(failed.keySet())) {
        Failure failure = failed.get(name);
        if (!Objects.equals(running(name), failure.runningAfter())) {
          failed.remove(name);
        } else if (all || pathFreed(failure) || removedSince(failure)) {
          apply(name, present.get(name));
          deployed |= !failed.containsKey(name);
        }
      }
      all = false;
    }
  }

  /** Whether the integration whose path a file wanted has been removed or has changed since. */
  private boolean pathFreed(Failure failure) {
    return failure.pathHolder() != null
        && deployer.deployment(failure.pathHolder().name()).orElse(null) != failure.pathHolder();
  }

  /** Whether an integration has been removed since a file failed for a reason other than a path. */
  private boolean removedSince(Failure failure) {
    return failure.pathHolder() == null && deployer.removals() != failure.removals();
  }

  private Integration running(String name) {
    return deployer.deployment(name).map(deployment -> deployment.integration()).orElse(null);
  }

  /** Whether the directory has been scanned and applied at least once since start. */
  public boolean appliedOnce() {
    return appliedOnce;
  }

  /** The name of the integration {@code file} holds, if it is an integration file ({@code <name>.json}); else null. */
  static String integrationName(Path file) {
    String fileName = file.getFileName().toString();
    return fileName.endsWith(".json") && !fileName.startsWith(".") && Files.isRegularFile(file)
        ? fileName.substring(0, fileName.length() - ".json".length()) : null;
  }

  /**
   * Reads one file; a file that is too large, not UTF-8 or cannot be read (its permissions) is
   * reported on its own instead of failing the scan, which would stop every other file in the
   * directory from being applied. Null when the file went between the listing and the read.
   */
  static FileText read(Path file) {
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        return new FileText(null, "the file is " + size + " bytes, more than the " + MAX_FILE_BYTES
            + " bytes an integration file may have", Files.getLastModifiedTime(file).toMillis(), null);
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException gone) {
      return null;
    } catch (IOException e) {
      return new FileText(null, "reading it failed (" + e.getClass().getSimpleName() + ")", 0, null);
    }
    String digest = HexFormat.of().formatHex(sha256(bytes));
    try {
      return new FileText(StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString(), null, 0, digest);
    } catch (CharacterCodingException e) {
      return new FileText(null, "the file is not UTF-8 text", Arrays.hashCode(bytes), digest);
    }
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return java.security.MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e); // every JDK has it
    }
  }

  /**
   * The SHA-256 (hex) of the file last applied under each name, once its status says how that went
   * ("-" for a file too large to read): {@code ./outpost deploy} waits for the digest of the file the
   * agent wrote, since a file changed under the same version looks the same.
   */
  public Map<String, String> appliedDigests() {
    return Map.copyOf(appliedDigests);
  }

  /**
   * The SHA-256 of the file {@code status} tells of: of the file it says waits, when it is such a
   * status ({@link WaitingFiles}), else of the one last applied under its name in {@code applied}
   * ({@link #appliedDigests}, read before the status), "-" for none.
   */
  public String digestOf(IntegrationStatus status, Map<String, String> applied) {
    return waiting.digestOf(status).orElseGet(() -> applied.getOrDefault(status.name(), "-"));
  }

  /** Removes {@code name} if what runs under it is what this source deployed. */
  private void removeOwn(String name) {
    Integration own = deployed.remove(name);
    deployer.removeIfOwn(name, own).ifPresent(running -> {
      Integration other = running.integration();
      LOG.infof("integration file %s.json removed; version %s of %s, deployed through the admin API since, keeps"
          + " running", name, other.version(), name);
    });
  }

  private void apply(String fileName, FileText file) {
    try {
      if (file.problem() != null) {
        throw new DeployException("integration file " + fileName + ".json cannot be read: " + file.problem());
      }
      Integration integration = json.read(file.text());
      if (!fileName.equals(integration.name())) {
        throw new DeployException("file " + fileName + ".json holds integration '" + integration.name()
            + "': the file must be named after the integration");
      }
      IntegrationDeployer.Attempt attempt = deployer.attemptWithoutWaiting(integration, waiting::takingWaits);
      if (IntegrationStatus.READY.equals(attempt.status().phase())) {
        deployed.put(fileName, integration);
        failed.remove(fileName);
      } else {
        failed.put(fileName, new Failure(attempt.runningAfter(), attempt.removals(), attempt.pathHolder()));
      }
    } catch (DeployException e) {
      // the file itself is wrong: only a new version of it can change that
      failed.remove(fileName);
      LOG.warnf("integration file %s.json rejected: %s", fileName, e.getMessage());
      // the version it ran serves on (a file truncated by hand said Failed while it answered 200)
      deployer.reportUndeployable(fileName, e.getMessage());
    } catch (RuntimeException | StackOverflowError | LinkageError e) {
      // never expected; caught so that one file cannot stop every later deployment and removal
      failed.remove(fileName);
      LOG.errorf(e, "integration file %s.json failed to deploy", fileName);
      deployer.reportUndeployable(fileName,
          "deploying it failed unexpectedly (" + e.getClass().getSimpleName() + "); the runtime's log has the details");
    }
  }

  private void sleepQuietly() {
    try {
      Thread.sleep(config.scanInterval().toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
