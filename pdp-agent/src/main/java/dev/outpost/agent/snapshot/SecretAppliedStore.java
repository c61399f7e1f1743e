package dev.outpost.agent.snapshot;

import dev.outpost.agent.targets.AgentIdentity;
import dev.outpost.agent.targets.KubernetesNames;
import dev.outpost.agent.targets.NamespaceClaim;
import dev.outpost.agent.targets.NamespaceHold;
import dev.outpost.agent.targets.ObjectApplier;
import dev.outpost.agent.targets.TargetException;
import dev.outpost.spec.protocol.ProtocolCodec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * The Kubernetes store: Secret {@code outpost-agent-applied}, key {@code snapshot.json}, in the
 * agent's namespace. A Secret rather than a ConfigMap because integration sources may be
 * confidential; one object write is atomic. The API server refuses a Secret over 1 MiB while a
 * snapshot may reach 16 MiB, so a snapshot that does not fit is stored gzipped under {@code
 * snapshot.json.gz} instead.
 *
 * <p>The Secret is annotated with its revision ({@value #REVISION_ANNOTATION}), and a save never
 * replaces a newer one: a replica that lost its lease while applying finished after its successor
 * had applied and saved a newer revision, and its save put the older one back for the next restart
 * to enforce. The check and the write are one optimistic update (the live {@code resourceVersion}).
 * It also records which agent saved it ({@link AgentIdentity}) and renews that agent's hold on the
 * namespace ({@link NamespaceHold}): a save never replaces what another release's agent of another
 * data plane keeps there while that agent renews its hold.
 */
public final class SecretAppliedStore implements AppliedStore {
  public static final String KEY = "snapshot.json";
  public static final String GZIP_KEY = "snapshot.json.gz";
  /** The most data the API server takes in one Secret. */
  public static final int MAX_SECRET_BYTES = 1024 * 1024;
  public static final String REVISION_ANNOTATION = "outpost.dev/revision";

  private final KubernetesClient client;
  private final String namespace;
  private final NamespaceHold hold;
  private final ObjectApplier applier;
  /** The Secret data of the last message checked, so that saving it does not compress it again. */
  private String checked;
  private Encoded checkedData;

  /** A snapshot's Secret data, and how many bytes it stores (the API server's limit counts those). */
  private record Encoded(Map<String, String> data, int bytes) {}

  /** @param dataPlane this data plane's id, whose revisions the store keeps (agent {@value AgentIdentity#DEFAULT_AGENT}) */
  public SecretAppliedStore(KubernetesClient client, String namespace, String dataPlane) {
    this(client, namespace, new NamespaceHold(new AgentIdentity(dataPlane, AgentIdentity.DEFAULT_AGENT)));
  }

  /**
   * @param hold this agent, the data plane whose revisions the store keeps, and its hold on the
   *     namespace, which the Kubernetes target's passes check: shared with it, the store knows from
   *     their read whether it still holds this agent's snapshot ({@link #keptAtLastPass})
   */
  public SecretAppliedStore(KubernetesClient client, String namespace, NamespaceHold hold) {
    this.client = client;
    this.namespace = namespace;
    this.hold = hold;
    this.applier = new ObjectApplier(client);
  }

  @Override
  public Optional<String> load() throws IOException {
    try {
      Secret secret = client.secrets().inNamespace(namespace).withName(KubernetesNames.APPLIED_SECRET).get();
      Map<String, String> data = secret == null || secret.getData() == null ? Map.of() : secret.getData();
      if (data.containsKey(GZIP_KEY)) {
        return Optional.of(gunzip(data.get(GZIP_KEY)));
      }
      return data.containsKey(KEY) ? Optional.of(text(Base64.getDecoder().decode(data.get(KEY)))) : Optional.empty();
    } catch (IllegalArgumentException damaged) {
      return Optional.of(""); // not base64: refused when verified, like any damaged snapshot
    } catch (KubernetesClientException e) {
      throw new IOException("cannot read Secret " + KubernetesNames.APPLIED_SECRET + ": " + ObjectApplier.reason(e), e);
    }
  }

  @Override
  public void save(String snapshotMessage, long revision) throws IOException {
    Secret secret = new SecretBuilder()
        .withNewMetadata()
        .withName(KubernetesNames.APPLIED_SECRET)
        .withNamespace(namespace)
        .withLabels(Map.of(KubernetesNames.MANAGED_BY, KubernetesNames.AGENT))
        .withAnnotations(annotations(revision))
        .endMetadata()
        .withType("Opaque")
        .withData(dataOf(snapshotMessage).data())
        .build();
    try {
      applier.ownedBy(NamespaceClaim.read(client, namespace)); // deleted with the release, like the rest
      applier.applyUnless(secret, live -> {
        Optional<String> refusal = hold.refusal(live.getMetadata().getAnnotations());
        if (refusal.isPresent()) {
          return new IOException(refusal.get());
        }
        long stored = revisionOf(live);
        return stored > revision ? new NewerRevisionStoredException(stored, revision) : null;
      });
      hold.saved(secret.getMetadata().getAnnotations());
    } catch (TargetException e) {
      throw e.getCause() instanceof NewerRevisionStoredException newer ? newer : new IOException(e.getMessage(), e);
    } catch (KubernetesClientException e) {
      throw new IOException("cannot read ConfigMap " + NamespaceClaim.NAME + ": " + ObjectApplier.reason(e), e);
    } finally {
      forgetChecked();
    }
  }

  /**
   * A snapshot whose gzipped form is still over 1 MiB (several MiB of varied sources) cannot be kept:
   * refused before it is applied, it changes nothing; refused at the save, after the apply, every
   * changed Deployment rolled out and back, and the control plane sent it again and again.
   */
  @Override
  public void checkStorable(String snapshotMessage) throws IOException {
    int bytes = dataOf(snapshotMessage).bytes();
    if (bytes > MAX_SECRET_BYTES) {
      forgetChecked();
      throw new IOException("the snapshot takes " + bytes + " bytes gzipped, and Secret " + KubernetesNames.APPLIED_SECRET
          + " holds at most " + MAX_SECRET_BYTES);
    }
  }

  /** Up to 16 MiB of message and its compressed form are not kept past their save or refusal. */
  private synchronized void forgetChecked() {
    checked = null;
    checkedData = null;
  }

  private synchronized Encoded dataOf(String snapshotMessage) throws IOException {
    if (snapshotMessage != checked) {
      checkedData = data(snapshotMessage.getBytes(StandardCharsets.UTF_8));
      checked = snapshotMessage;
    }
    return checkedData;
  }

  /** Known from the Kubernetes target's pass, which reads the Secret: no request of its own. */
  @Override
  public Optional<Boolean> keptAtLastPass() {
    return hold.keptAtLastPass();
  }

  private Map<String, String> annotations(long revision) {
    Map<String, String> annotations = new LinkedHashMap<>(hold.annotations());
    annotations.put(REVISION_ANNOTATION, Long.toString(revision));
    return annotations;
  }

  /**
   * The revision a stored Secret is annotated with; 0 when it has none (saved by an older agent) or
   * is annotated as another data plane's (this namespace's data plane registered anew, its revisions reset).
   */
  private long revisionOf(Secret live) {
    Map<String, String> annotations = live.getMetadata().getAnnotations() == null ? Map.of()
        : live.getMetadata().getAnnotations();
    String owner = annotations.get(AgentIdentity.DATA_PLANE_ANNOTATION);
    if (owner != null && !owner.equals(hold.identity().dataPlane())) {
      return 0;
    }
    String value = annotations.get(REVISION_ANNOTATION);
    try {
      return value == null ? 0 : Long.parseLong(value);
    } catch (NumberFormatException damaged) {
      return 0;
    }
  }

  private static Encoded data(byte[] snapshot) throws IOException {
    if (snapshot.length <= MAX_SECRET_BYTES) {
      return new Encoded(Map.of(KEY, Base64.getEncoder().encodeToString(snapshot)), snapshot.length);
    }
    ByteArrayOutputStream compressed = new ByteArrayOutputStream();
    try (GZIPOutputStream gzip = new GZIPOutputStream(compressed)) {
      gzip.write(snapshot);
    }
    byte[] gzipped = compressed.toByteArray();
    return new Encoded(Map.of(GZIP_KEY, Base64.getEncoder().encodeToString(gzipped)), gzipped.length);
  }

  private static String gunzip(String base64) {
    try (GZIPInputStream gzip = new GZIPInputStream(new ByteArrayInputStream(Base64.getDecoder().decode(base64)))) {
      return text(gzip.readNBytes(ProtocolCodec.MAX_FRAME_BYTES + 1));
    } catch (IOException damaged) {
      return ""; // in memory, so only damaged data fails: refused when verified, like any damaged snapshot
    }
  }

  private static String text(byte[] bytes) {
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
