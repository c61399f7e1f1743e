package dev.outpost.runtime.source;

import static dev.outpost.runtime.Integrations.constantRoute;
import static dev.outpost.runtime.Integrations.httpRoute;
import static org.assertj.core.api.Assertions.assertThat;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static dev.outpost.runtime.Eventually.eventually;

import dev.outpost.runtime.Backend;
import dev.outpost.runtime.Integrations;
import dev.outpost.runtime.StuckRequests;
import dev.outpost.runtime.deploy.BlockingBean;
import dev.outpost.runtime.deploy.IntegrationDeployer;
import dev.outpost.spec.model.SecretRef;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The state directory as the agent writes it (temp file + rename): deploy, call, upgrade, call
 * again and remove, against a real backend.
 */
@QuarkusTest
class DirectorySourceTest {

  static final Path DIR = Path.of("target/test-state/integrations");
  static final Path SECRETS = Path.of("target/test-state/secrets");

  @TestHTTPResource("/")
  URL http;

  @TestHTTPResource(value = "/", management = true)
  URL management;

  @Test
  void deployUpgradeAndRemoveByWritingFiles() throws Exception {
    try (Backend backend = Backend.json("{\"from\":\"backend\"}")) {
      String v1 = """
          - route:
              id: dir-quote
              from:
                uri: platform-http:/dir-quote
                steps:
                  - removeHeaders:
                      pattern: "CamelHttp*"
                  - to: %s/quote
          """.formatted(backend.url());
      write("dir-quote", Integrations.of("dir-quote", "1", v1));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(200).body("from", equalTo("backend")));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'dir-quote' }.phase", equalTo("Ready")));

      write("dir-quote", Integrations.of("dir-quote", "2", constantRoute("dir-quote", "/dir-quote", "v2")));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(200).body(equalTo("v2")));

      Files.delete(DIR.resolve("dir-quote.json"));
      eventually(() -> given().get(http + "dir-quote").then().statusCode(404));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body(not(containsString("dir-quote"))));
    }
  }

  /**
   * A file changed under the same version looks, by its status line, like the one before until it is
   * applied: the line carries the digest of the file applied, which ./outpost deploy waits for.
   */
  @Test
  void theTextStatusNamesTheDigestOfTheFileItsLineTellsOf() throws Exception {
    write("dir-digest", Integrations.of("dir-digest", "1", constantRoute("dir-digest", "/dir-digest", "fine")));
    String fine = sha256(DIR.resolve("dir-digest.json"));
    eventually(() -> assertThat(textStatus()).contains("dir-digest\t1\tReady\t" + fine + "\t"));

    write("dir-digest", Integrations.of("dir-digest", "1", httpRoute("dir-digest", "/dir-digest", """
        - setBdy:
            constant: typo
        """)));
    String typo = sha256(DIR.resolve("dir-digest.json"));
    eventually(() -> assertThat(textStatus().lines().filter(l -> l.startsWith("dir-digest\t1\tFailed\t" + typo + "\t")))
        .singleElement().asString().contains("setBdy"));
    Files.delete(DIR.resolve("dir-digest.json"));
    eventually(() -> assertThat(textStatus()).doesNotContain("dir-digest"));
  }

  private String textStatus() {
    return given().get(Integrations.base(management) + "outpost/integrations?format=text").then().statusCode(200)
        .extract().asString();
  }

  private static String sha256(Path file) throws Exception {
    return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }

  @Test
  void aFileThatIsNotAnIntegrationIsReportedFailedByItsFileName() throws Exception {
    Files.createDirectories(DIR);
    Files.writeString(DIR.resolve("broken-json.json"), "{\"name\": \"broken-json\", ");
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'broken-json' }.phase", equalTo("Failed"))
        .body("find { it.name == 'broken-json' }.message", containsString("invalid integration JSON")));
    Files.delete(DIR.resolve("broken-json.json"));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body(not(containsString("broken-json"))));
  }

  /**
   * A file damaged by hand (truncated, half-written JSON) leaves the version it ran serving: its status
   * says so (servingVersion, which the agent reports as a replica serving), as a failed deploy's does.
   * It said Failed with no version serving while that version answered 200.
   */
  @Test
  void aDamagedFileSaysTheVersionItRanStillServes() throws Exception {
    write("dir-damaged", Integrations.of("dir-damaged", "1", constantRoute("dir-damaged", "/dir-damaged", "v1")));
    eventually(() -> given().get(http + "dir-damaged").then().statusCode(200).body(equalTo("v1")));

    for (String damaged : List.of("", "{\"name\": \"dir-damaged\", ")) {
      Files.writeString(DIR.resolve("dir-damaged.json"), damaged);
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'dir-damaged' }.phase", equalTo("Failed"))
          .body("find { it.name == 'dir-damaged' }.message", containsString("(version 1 still serves)"))
          .body("find { it.name == 'dir-damaged' }.servingVersion", equalTo("1")));
      given().get(http + "dir-damaged").then().statusCode(200).body(equalTo("v1"));
    }
    Files.delete(DIR.resolve("dir-damaged.json"));
    eventually(() -> given().get(http + "dir-damaged").then().statusCode(404));
  }

  @Test
  void aFileThatIsNotUtf8IsReportedFailedAndTheOtherFilesStillDeploy() throws Exception {
    Files.createDirectories(DIR);
    Files.write(DIR.resolve("not-text.json"), new byte[] {'{', (byte) 0xff, (byte) 0xfe, 0, (byte) 0xc3, '('});
    write("beside-binary", Integrations.of("beside-binary", "1", constantRoute("beside-binary", "/beside-binary", "ok")));
    eventually(() -> given().get(http + "beside-binary").then().statusCode(200).body(equalTo("ok")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'not-text' }.phase", equalTo("Failed"))
        .body("find { it.name == 'not-text' }.message", containsString("not UTF-8")));
    Files.delete(DIR.resolve("not-text.json"));
    Files.delete(DIR.resolve("beside-binary.json"));
    eventually(() -> given().get(http + "beside-binary").then().statusCode(404));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body(not(containsString("not-text"))));
  }

  /**
   * A file that cannot be read is reported on its own, and the others still deploy: before, the
   * IOException ended the whole scan, so no file was deployed, upgraded or removed after it (and at
   * start the runtime never became ready). The tests run as root, whom file permissions do not stop,
   * so the file is a link to /proc/self/mem, which is a regular file whose read fails.
   */
  @Test
  void aFileThatCannotBeReadIsReportedFailedAndTheOtherFilesStillDeploy() throws Exception {
    Files.createDirectories(DIR);
    Path unreadable = DIR.resolve("unreadable.json");
    Files.createSymbolicLink(unreadable, Path.of("/proc/self/mem"));
    try {
      write("beside-unreadable", Integrations.of("beside-unreadable", "1",
          constantRoute("beside-unreadable", "/beside-unreadable", "ok")));
      eventually(() -> given().get(http + "beside-unreadable").then().statusCode(200).body(equalTo("ok")));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'unreadable' }.phase", equalTo("Failed"))
          .body("find { it.name == 'unreadable' }.message", containsString("reading it failed")));
    } finally {
      Files.delete(unreadable);
      Files.deleteIfExists(DIR.resolve("beside-unreadable.json"));
    }
    eventually(() -> given().get(http + "beside-unreadable").then().statusCode(404));
  }

  /**
   * A secret rotated in the secrets directory (as the kubelet updates a Secret volume in place) is
   * used without a restart: the integration is deployed again with the new value, as in an upgrade.
   * Before, values were read once at deploy, so it kept the old credential for as long as it ran.
   */
  @Test
  void aRotatedSecretIsUsedWithoutARestart() throws Exception {
    Path value = SECRETS.resolve("rotating").resolve("token");
    Files.createDirectories(value.getParent());
    Files.writeString(value, "first-token-1a2b");
    try {
      write("rotating", Integrations.of("rotating", "1", constantRoute("rotating", "/rotating",
          "{{secret.rotating.token}}"), Map.of(), List.of(new SecretRef("rotating", "token"))));
      eventually(() -> given().get(http + "rotating").then().statusCode(200).body(equalTo("first-token-1a2b")));
      Files.writeString(value, "second-token-3c4d");
      eventually(() -> given().get(http + "rotating").then().statusCode(200).body(equalTo("second-token-3c4d")));
      // the new version serves a moment before its status is reported Ready
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'rotating' }.phase", equalTo("Ready")));

      // the key gone: the running version goes on with what it had, Ready (Failed would take a pod of
      // this integration out of its Service, and every pod of it at once), the reason in its message
      Files.delete(value);
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'rotating' }.phase", equalTo("Ready"))
          .body("find { it.name == 'rotating' }.message", containsString("could not be deployed with it")));
      given().get(http + "rotating").then().statusCode(200).body(equalTo("second-token-3c4d"));

      // the key back as it was: the reason no longer holds, and the message goes with it
      Files.writeString(value, "second-token-3c4d");
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'rotating' }.phase", equalTo("Ready"))
          .body("find { it.name == 'rotating' }.message", org.hamcrest.Matchers.nullValue()));
    } finally {
      Files.deleteIfExists(DIR.resolve("rotating.json"));
      Files.deleteIfExists(value);
    }
    eventually(() -> given().get(http + "rotating").then().statusCode(404));
  }

  /**
   * A file that failed because a secret it declares was missing deploys once the secret is created.
   * Before, it was tried again only when the running integrations changed.
   */
  @Test
  void aFileFailedOnAMissingSecretDeploysOnceTheSecretIsCreated() throws Exception {
    Path value = SECRETS.resolve("late-secret").resolve("key");
    Files.deleteIfExists(value);
    try {
      write("late-secret", Integrations.of("late-secret", "1", constantRoute("late-secret", "/late-secret",
          "{{secret.late-secret.key}}"), Map.of(), List.of(new SecretRef("late-secret", "key"))));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'late-secret' }.phase", equalTo("Failed"))
          .body("find { it.name == 'late-secret' }.message", containsString("not found")));
      Files.createDirectories(value.getParent());
      Files.writeString(value, "arrived-5e6f");
      eventually(() -> given().get(http + "late-secret").then().statusCode(200).body(equalTo("arrived-5e6f")));
    } finally {
      Files.deleteIfExists(DIR.resolve("late-secret.json"));
      Files.deleteIfExists(value);
    }
    eventually(() -> given().get(http + "late-secret").then().statusCode(404));
  }

  /**
   * Camel's YAML parser recurses once per level, and a StackOverflowError there would end the thread
   * that watches the directory (no file deployed or removed after). 990 levels passed validation and
   * reached it; sources now stop at 200, far from the 1,000-odd that overflow a thread's stack.
   */
  @Test
  void aFileOfYamlNestedBeyondAnyRouteFailsAndTheOtherFilesStillDeploy() throws Exception {
    String deep = "[".repeat(990) + "]".repeat(990);
    write("too-deep", Integrations.of("too-deep", "1", httpRoute("too-deep", "/too-deep", """
        - setBody:
            constant: %s
        """.formatted(deep))));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'too-deep' }.phase", equalTo("Failed"))
        .body("find { it.name == 'too-deep' }.message", containsString("nested deeper than 200 levels")));
    write("after-deep", Integrations.of("after-deep", "1", constantRoute("after-deep", "/after-deep", "ok")));
    eventually(() -> given().get(http + "after-deep").then().statusCode(200).body(equalTo("ok")));
    Files.delete(DIR.resolve("too-deep.json"));
    Files.delete(DIR.resolve("after-deep.json"));
    eventually(() -> given().get(http + "after-deep").then().statusCode(404));
  }

  @Test
  void aFileLargerThanTheAdminApiLimitIsReportedFailedWithoutBeingRead() throws Exception {
    String padding = "# " + "x".repeat((int) AdminRoutes.MAX_BODY_BYTES) + "\n";
    write("too-large", Integrations.of("too-large", "1", padding + constantRoute("too-large", "/too-large", "big")));
    write("beside-large", Integrations.of("beside-large", "1", constantRoute("beside-large", "/beside-large", "ok")));
    eventually(() -> given().get(http + "beside-large").then().statusCode(200).body(equalTo("ok")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'too-large' }.phase", equalTo("Failed"))
        .body("find { it.name == 'too-large' }.message", containsString("more than the 1048576 bytes")));
    given().get(http + "too-large").then().statusCode(404);
    Files.delete(DIR.resolve("too-large.json"));
    Files.delete(DIR.resolve("beside-large.json"));
    eventually(() -> given().get(http + "beside-large").then().statusCode(404));
  }

  @Test
  void removingAFileLeavesAVersionTheAdminApiDeployedSinceRunning() throws Exception {
    write("owned-twice", Integrations.of("owned-twice", "1", constantRoute("owned-twice", "/owned-twice", "file")));
    eventually(() -> given().get(http + "owned-twice").then().statusCode(200).body(equalTo("file")));
    Integrations.put(management, Integrations.of("owned-twice", "2",
        constantRoute("owned-twice", "/owned-twice", "admin"))).then().statusCode(200);

    write("removal-marker", Integrations.of("removal-marker", "1",
        constantRoute("removal-marker", "/removal-marker", "here")));
    eventually(() -> given().get(http + "removal-marker").then().statusCode(200));
    Files.delete(DIR.resolve("owned-twice.json"));
    Files.delete(DIR.resolve("removal-marker.json"));
    // a scan that sees the marker gone has seen owned-twice.json gone too
    eventually(() -> given().get(http + "removal-marker").then().statusCode(404));

    given().get(http + "owned-twice").then().statusCode(200).body(equalTo("admin"));
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'owned-twice' }.phase", equalTo("Ready"))
        .body("find { it.name == 'owned-twice' }.version", equalTo("2"));
    Integrations.delete(management, "owned-twice").then().statusCode(204);
  }

  /**
   * The scan that sees a file gone decides whether what runs is the file's under the lock an
   * install holds: an admin API deploy of the same name that is installing at that moment (it holds
   * the lock for the whole Camel load, here while its bean waits) was taken for the file's version
   * and removed once it was done.
   */
  @Test
  void aFileRemovedWhileTheAdminApiInstallsItsVersionLeavesThatVersionRunning() throws Exception {
    write("race-owned", Integrations.of("race-owned", "1", constantRoute("race-owned", "/race-owned", "file")));
    eventually(() -> given().get(http + "race-owned").then().statusCode(200).body(equalTo("file")));
    try (BlockingBean bean = new BlockingBean()) {
      var admin = CompletableFuture.supplyAsync(() -> Integrations.put(management, Integrations.of("race-owned", "2",
          bean.declaration("raceOwnedSocket") + constantRoute("race-owned", "/race-owned", "admin"))).statusCode());
      eventually(() -> assertThat(textStatus()).contains("race-owned\t2\tDeploying\t"));
      Files.delete(DIR.resolve("race-owned.json"));
      eventually(() -> assertThat(waitsForTheDeployer("outpost-integrations-dir")).as("the scan waiting for the install's lock")
          .isTrue());
      bean.release();
      assertThat(admin.get(30, TimeUnit.SECONDS)).isEqualTo(200);
    }
    // a scan after the one that waited: that one is done
    write("race-marker", Integrations.of("race-marker", "1", constantRoute("race-marker", "/race-marker", "here")));
    eventually(() -> given().get(http + "race-marker").then().statusCode(200));
    given().get(http + "race-owned").then().statusCode(200).body(equalTo("admin"));
    given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'race-owned' }.phase", equalTo("Ready"))
        .body("find { it.name == 'race-owned' }.version", equalTo("2"));
    Files.delete(DIR.resolve("race-marker.json"));
    Integrations.delete(management, "race-owned").then().statusCode(204);
  }

  /** Whether the thread called {@code name} waits for the deployer's lock. */
  private static boolean waitsForTheDeployer(String name) {
    for (java.lang.management.ThreadInfo info : java.lang.management.ManagementFactory.getThreadMXBean()
        .dumpAllThreads(false, false)) {
      if (info.getThreadName().equals(name) && info.getThreadState() == Thread.State.WAITING
          && info.getLockInfo() != null && info.getLockInfo().getClassName().contains("ReentrantLock")) {
        return true;
      }
    }
    return false;
  }

  @Test
  void aFileUpgradeDrainingAStuckRequestDoesNotHoldUpTheOtherFiles() throws Exception {
    var stuck = deployByFileAndStickARequestIn("dir-stuck");
    write("dir-stuck", Integrations.of("dir-stuck", "2", constantRoute("dir-stuck", "/dir-stuck", "v2")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'dir-stuck' }.version", equalTo("2")));

    // version 1 drains for 5 s (the tests' drain-timeout) around the stuck request meanwhile
    write("dir-beside", Integrations.of("dir-beside", "1", constantRoute("dir-beside", "/dir-beside", "ok")));
    eventually(() -> given().get(http + "dir-beside").then().statusCode(200).body(equalTo("ok")));
    assertThat(stuck).as("version 1 of dir-stuck still drains").isNotDone();

    assertThat(stuck.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    Files.delete(DIR.resolve("dir-stuck.json"));
    Files.delete(DIR.resolve("dir-beside.json"));
    eventually(() -> given().get(http + "dir-beside").then().statusCode(404));
  }

  @Test
  void aFileRemovalDrainingAStuckRequestDoesNotHoldUpTheOtherFiles() throws Exception {
    var stuck = deployByFileAndStickARequestIn("dir-gone");
    Files.delete(DIR.resolve("dir-gone.json"));
    eventually(() -> given().get(http + "dir-gone").then().statusCode(404));

    write("dir-after", Integrations.of("dir-after", "1", constantRoute("dir-after", "/dir-after", "ok")));
    eventually(() -> given().get(http + "dir-after").then().statusCode(200).body(equalTo("ok")));
    assertThat(stuck).as("dir-gone still drains").isNotDone();

    assertThat(stuck.get(15, TimeUnit.SECONDS).statusCode()).isEqualTo(503);
    Files.delete(DIR.resolve("dir-after.json"));
    eventually(() -> given().get(http + "dir-after").then().statusCode(404));
  }

  @Test
  void aConfigMapMountIsFollowedThroughItsSymlinkSwaps() throws Exception {
    // the kubelet's layout: <key> -> ..data/<key>, ..data -> ..<timestamp>, swapped by a rename
    Files.createDirectories(DIR);
    for (String leftover : new String[] {"cm-int.json", "..data", "..data_tmp", "..cm_v1/cm-int.json",
        "..cm_v2/cm-int.json", "..cm_v1", "..cm_v2"}) {
      Files.deleteIfExists(DIR.resolve(leftover));
    }
    Path v1 = Files.createDirectories(DIR.resolve("..cm_v1"));
    Files.writeString(v1.resolve("cm-int.json"), Integrations.json(
        Integrations.of("cm-int", "1", constantRoute("cm-int", "/cm-int", "from configmap v1"))));
    Files.createSymbolicLink(DIR.resolve("..data"), Path.of("..cm_v1"));
    Files.createSymbolicLink(DIR.resolve("cm-int.json"), Path.of("..data/cm-int.json"));
    eventually(() -> given().get(http + "cm-int").then().statusCode(200).body(equalTo("from configmap v1")));

    Path v2 = Files.createDirectories(DIR.resolve("..cm_v2"));
    Files.writeString(v2.resolve("cm-int.json"), Integrations.json(
        Integrations.of("cm-int", "2", constantRoute("cm-int", "/cm-int", "from configmap v2"))));
    Files.createSymbolicLink(DIR.resolve("..data_tmp"), Path.of("..cm_v2"));
    Files.move(DIR.resolve("..data_tmp"), DIR.resolve("..data"), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
    eventually(() -> given().get(http + "cm-int").then().statusCode(200).body(equalTo("from configmap v2")));

    Files.delete(DIR.resolve("cm-int.json"));
    Files.delete(DIR.resolve("..data"));
    eventually(() -> given().get(http + "cm-int").then().statusCode(404));
    for (Path dir : new Path[] {v1, v2}) {
      Files.delete(dir.resolve("cm-int.json"));
      Files.delete(dir);
    }
  }

  /**
   * The agent's files are applied one at a time, and a bean that blocks while it is created holds
   * the load (Camel cannot interrupt it): a file written meanwhile waits, and its status says for
   * which integration, as {@code ./outpost status} prints it. Before, it had no status at all until
   * the bean returned, and {@code ./outpost deploy} gave up naming nothing.
   */
  @Test
  void aFileWaitingBehindASlowLoadSaysWhichIntegrationHoldsItUp() throws Exception {
    try (BlockingBean bean = new BlockingBean()) {
      write("dir-slow", Integrations.of("dir-slow", "1",
          bean.declaration("dirSlowSocket") + constantRoute("dir-slow", "/dir-slow", "loaded")));
      eventually(() -> assertThat(textStatus()).contains("dir-slow\t1\tDeploying\t"));
      write("dir-behind", Integrations.of("dir-behind", "1", constantRoute("dir-behind", "/dir-behind", "ok")));
      write("dir-withdrawn", Integrations.of("dir-withdrawn", "1", constantRoute("dir-withdrawn", "/dir-withdrawn", "no")));
      // the line carries the digest of the file that waits, by which ./outpost deploy knows it tells of that file
      String waiting = sha256(DIR.resolve("dir-behind.json"));
      eventually(() -> assertThat(textStatus().lines())
          .anySatisfy(line -> assertThat(line)
              .startsWith("dir-behind\t1\tDeploying\t" + waiting + "\twaiting: integration dir-slow has been loading for "))
          .anySatisfy(line -> assertThat(line).startsWith("dir-withdrawn\t1\tDeploying\t")));
      // one removed before its turn says nothing more
      Files.delete(DIR.resolve("dir-withdrawn.json"));

      bean.release();
      eventually(() -> given().get(http + "dir-behind").then().statusCode(200).body(equalTo("ok")));
      String behind = sha256(DIR.resolve("dir-behind.json"));
      eventually(() -> assertThat(textStatus()).contains("dir-behind\t1\tReady\t" + behind + "\t\n"));
      given().get(http + "dir-slow").then().statusCode(200).body(equalTo("loaded"));
      eventually(() -> assertThat(textStatus()).doesNotContain("dir-withdrawn"));
      given().get(http + "dir-withdrawn").then().statusCode(404);
    } finally {
      Files.deleteIfExists(DIR.resolve("dir-slow.json"));
      Files.deleteIfExists(DIR.resolve("dir-behind.json"));
      Files.deleteIfExists(DIR.resolve("dir-withdrawn.json"));
    }
    eventually(() -> given().get(http + "dir-behind").then().statusCode(404));
  }

  /**
   * The directory's thread waiting for the deployer itself (an admin API deploy holds it) says so
   * with the digest of the file it is about to apply: with the digest of the file applied before
   * (here none), ./outpost deploy took the line for an older file's and never showed why it waited.
   */
  @Test
  void theFileTheDirectoryWaitsToApplySaysSoWithItsDigest() throws Exception {
    try (BlockingBean bean = new BlockingBean()) {
      var admin = CompletableFuture.supplyAsync(() -> Integrations.put(management, Integrations.of("admin-slow", "1",
          bean.declaration("adminSlowSocket") + constantRoute("admin-slow", "/admin-slow", "loaded"))).statusCode());
      eventually(() -> assertThat(textStatus()).contains("admin-slow\t1\tDeploying\t"));
      write("dir-next", Integrations.of("dir-next", "1", constantRoute("dir-next", "/dir-next", "ok")));
      String next = sha256(DIR.resolve("dir-next.json"));
      eventually(() -> assertThat(textStatus().lines()).anySatisfy(line -> assertThat(line)
          .startsWith("dir-next\t1\tDeploying\t" + next + "\twaiting: integration admin-slow has been loading for ")));

      bean.release();
      assertThat(admin.get(30, TimeUnit.SECONDS)).isEqualTo(200);
      eventually(() -> assertThat(textStatus()).contains("dir-next\t1\tReady\t" + next + "\t\n"));
    } finally {
      Files.deleteIfExists(DIR.resolve("dir-next.json"));
      Integrations.delete(management, "admin-slow");
    }
    eventually(() -> given().get(http + "dir-next").then().statusCode(404));
  }

  /**
   * A file changed while the deployer is held up, then changed back before its turn to the very
   * bytes applied before (a rollback through ./outpost deploy writes them), is not applied again:
   * what its status said before it waited is said again, Ready or Failed. Before, it said
   * "Deploying, waiting" for good while the version applied before served (the agent reported it
   * Deploying, and ./outpost deploy gave up after 45 s).
   */
  @Test
  void aFileChangedBackBeforeItsTurnSaysAgainWhatItsStatusWas() throws Exception {
    record Case(dev.outpost.spec.model.Integration applied, String line) {}
    List<Case> cases = List.of(
        new Case(Integrations.of("dir-back", "1", constantRoute("dir-back", "/dir-back", "v1")), "Ready\t%s\t\n"),
        new Case(Integrations.of("dir-back", "1", httpRoute("dir-back", "/dir-back", """
            - setBdy:
                constant: typo
            """)), "Failed\t%s\t"));
    try {
      int round = 0;
      for (Case c : cases) {
        round++;
        write("dir-back", c.applied());
        String applied = sha256(DIR.resolve("dir-back.json"));
        String expected = "dir-back\t1\t" + c.line().formatted(applied);
        eventually(() -> assertThat(textStatus()).contains(expected));
        try (BlockingBean bean = new BlockingBean()) {
          write("dir-hold", Integrations.of("dir-hold", "" + round,
              bean.declaration("dirHoldSocket" + round) + constantRoute("dir-hold", "/dir-hold", "held " + round)));
          String holding = "dir-hold\t" + round + "\tDeploying\t";
          eventually(() -> assertThat(textStatus()).contains(holding));
          write("dir-back", Integrations.of("dir-back", "2", constantRoute("dir-back", "/dir-back", "v2")));
          eventually(() -> assertThat(textStatus().lines()).anySatisfy(line -> assertThat(line)
              .startsWith("dir-back\t2\tDeploying\t").contains("waiting: integration dir-hold has been loading for ")));
          write("dir-back", c.applied());
          assertThat(sha256(DIR.resolve("dir-back.json"))).isEqualTo(applied);
          bean.release();
          String held = "held " + round;
          eventually(() -> given().get(http + "dir-hold").then().statusCode(200).body(equalTo(held)));
        }
        eventually(() -> assertThat(textStatus()).contains(expected));
      }
    } finally {
      Files.deleteIfExists(DIR.resolve("dir-back.json"));
      Files.deleteIfExists(DIR.resolve("dir-hold.json"));
    }
    eventually(() -> given().get(http + "dir-hold").then().statusCode(404));
    eventually(() -> assertThat(textStatus()).doesNotContain("dir-back"));
  }

  /**
   * A file that failed for a reason of its own is not tried again because other integrations
   * changed: its bean blocked for a while each time, and so held up every other file's deploy after
   * each of theirs. (One that failed on another's path is, below.)
   */
  @Test
  void aFileThatFailedOnItsOwnIsNotTriedAgainAfterEveryOtherDeploy() throws Exception {
    try (dev.outpost.spec.testing.LogLines log = dev.outpost.spec.testing.LogLines.of(IntegrationDeployer.class)) {
      String failed = "integration dir-flaky version 1 failed to deploy: ";
      write("dir-flaky", Integrations.of("dir-flaky", "1", BlockingBean.failingAfter("dirFlakySocket", Duration.ofMillis(300))
          + constantRoute("dir-flaky", "/dir-flaky", "never")));
      eventually(() -> assertThat(log.containing(failed)).isNotEmpty());
      for (int v = 1; v <= 3; v++) {
        String body = "v" + v;
        write("dir-other", Integrations.of("dir-other", "" + v, constantRoute("dir-other", "/dir-other", body)));
        eventually(() -> given().get(http + "dir-other").then().statusCode(200).body(equalTo(body)));
      }
      // a scan after the last one's
      write("flaky-marker", Integrations.of("flaky-marker", "1", constantRoute("flaky-marker", "/flaky-marker", "here")));
      eventually(() -> given().get(http + "flaky-marker").then().statusCode(200));
      assertThat(log.containing(failed)).as("tries of dir-flaky").hasSize(1);
      given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == 'dir-flaky' }.phase", equalTo("Failed"))
          .body("find { it.name == 'dir-flaky' }.message", containsString("Accept timed out"));
    } finally {
      Files.deleteIfExists(DIR.resolve("dir-flaky.json"));
      Files.deleteIfExists(DIR.resolve("dir-other.json"));
      Files.deleteIfExists(DIR.resolve("flaky-marker.json"));
    }
    eventually(() -> given().get(http + "flaky-marker").then().statusCode(404));
  }

  /** Deploys {@code name} by file, serving its path with a 60 s delay, and sends a request that sticks in it. */
  private CompletableFuture<HttpResponse<String>> deployByFileAndStickARequestIn(String name) throws Exception {
    try (StuckRequests stuck = new StuckRequests()) {
      write(name, Integrations.of(name, "1", httpRoute(name, "/" + name, stuck.steps(name, ""))));
      eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
          .body("find { it.name == '" + name + "' }.phase", equalTo("Ready")));
      return stuck.send(name, URI.create(http + name)); // once it has made its call, the backend may go
    }
  }

  /**
   * The agent renames an integration by writing the new file before removing the old one: the new
   * one fails at first (the old one holds its path), and deploys once the old is gone.
   */
  @Test
  void aFileThatFailedOnAPathAnotherHeldDeploysOnceThatOneIsRemoved() throws Exception {
    Files.deleteIfExists(DIR.resolve("rename-new.json")); // left by an earlier run that failed midway
    write("rename-old", Integrations.of("rename-old", "1", constantRoute("renamed", "/renamed", "old")));
    eventually(() -> given().get(http + "renamed").then().statusCode(200).body(equalTo("old")));
    write("rename-new", Integrations.of("rename-new", "1", constantRoute("renamed", "/renamed", "new")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'rename-new' }.phase", equalTo("Failed"))
        .body("find { it.name == 'rename-new' }.message", containsString("already")));

    Files.delete(DIR.resolve("rename-old.json"));
    eventually(() -> given().get(http + "renamed").then().statusCode(200).body(equalTo("new")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'rename-new' }.phase", equalTo("Ready")));
    Files.delete(DIR.resolve("rename-new.json"));
    eventually(() -> given().get(http + "renamed").then().statusCode(404));
  }

  /**
   * The agent renames an integration whose bean listens on a fixed port by writing the new file
   * first: the new one fails ("Address already in use"), and deploys once the old one is removed.
   * Only a failure on a path recorded which integration to wait for; this one waited for its own
   * file to change, and stayed Failed for good.
   */
  @Test
  void aFileThatFailedOnAPortAnotherHeldDeploysOnceThatOneIsRemoved() throws Exception {
    Files.deleteIfExists(DIR.resolve("port-new.json")); // left by an earlier run that failed midway
    int port;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
      port = probe.getLocalPort();
    }
    String listening = """
        - beans:
            - name: renamedListener
              type: java.net.ServerSocket
              constructors:
                0: %d
              destroyMethod: close
        """.formatted(port);
    write("port-old", Integrations.of("port-old", "1", listening + constantRoute("port", "/port-renamed", "old")));
    eventually(() -> given().get(http + "port-renamed").then().statusCode(200).body(equalTo("old")));
    write("port-new", Integrations.of("port-new", "1", listening + constantRoute("port", "/port-renamed", "new")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'port-new' }.phase", equalTo("Failed"))
        .body("find { it.name == 'port-new' }.message", containsString("Address already in use")));

    Files.delete(DIR.resolve("port-old.json"));
    eventually(() -> given().get(http + "port-renamed").then().statusCode(200).body(equalTo("new")));
    Files.delete(DIR.resolve("port-new.json"));
    eventually(() -> given().get(http + "port-renamed").then().statusCode(404));
  }

  /** A failed file is not tried again over a version the admin API deployed since under its name: the last writer owns it. */
  @Test
  void aFailedFileIsNotTriedAgainOverTheAdminApisNewerVersion() throws Exception {
    Files.deleteIfExists(DIR.resolve("claimed.json")); // left by an earlier run that failed midway
    write("claim-holder", Integrations.of("claim-holder", "1", constantRoute("claim-holder", "/claimed", "holder")));
    eventually(() -> given().get(http + "claimed").then().statusCode(200).body(equalTo("holder")));
    write("claimed", Integrations.of("claimed", "1", constantRoute("claimed", "/claimed", "file")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'claimed' }.phase", equalTo("Failed")));
    Integrations.put(management, Integrations.of("claimed", "3", constantRoute("claimed", "/claimed-admin", "admin")))
        .then().statusCode(200);

    Files.delete(DIR.resolve("claim-holder.json"));
    eventually(() -> given().get(http + "claimed").then().statusCode(404));
    Thread.sleep(500); // further scans
    given().get(http + "claimed").then().statusCode(404);
    given().get(http + "claimed-admin").then().statusCode(200).body(equalTo("admin"));
    Files.delete(DIR.resolve("claimed.json"));
    Integrations.delete(management, "claimed").then().statusCode(204);
  }

  /** A file written after the admin API's version is the name's last writer: its failure is tried again. */
  @Test
  void aFileWrittenAfterTheAdminApisVersionIsTriedAgain() throws Exception {
    Files.deleteIfExists(DIR.resolve("lw-holder.json")); // left by an earlier run that failed midway
    write("lw", Integrations.of("lw", "1", constantRoute("lw", "/lw-a", "file 1")));
    eventually(() -> given().get(http + "lw-a").then().statusCode(200));
    Integrations.put(management, Integrations.of("lw", "2", constantRoute("lw", "/lw-b", "admin"))).then().statusCode(200);
    write("lw-holder", Integrations.of("lw-holder", "1", constantRoute("lw-holder", "/lw-c", "holder")));
    eventually(() -> given().get(http + "lw-c").then().statusCode(200).body(equalTo("holder")));
    write("lw", Integrations.of("lw", "3", constantRoute("lw", "/lw-c", "file 3")));
    eventually(() -> given().get(Integrations.base(management) + "outpost/integrations").then()
        .body("find { it.name == 'lw' }.phase", equalTo("Failed")));

    Files.delete(DIR.resolve("lw-holder.json"));
    eventually(() -> given().get(http + "lw-c").then().statusCode(200).body(equalTo("file 3")));
    Files.delete(DIR.resolve("lw.json"));
    eventually(() -> given().get(http + "lw-c").then().statusCode(404));
  }

  static void write(String name, dev.outpost.spec.model.Integration integration) throws IOException {
    Files.createDirectories(DIR);
    Path tmp = DIR.resolve("." + name + ".tmp");
    Files.writeString(tmp, Integrations.json(integration));
    Files.move(tmp, DIR.resolve(name + ".json"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
