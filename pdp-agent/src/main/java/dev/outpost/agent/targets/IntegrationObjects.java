package dev.outpost.agent.targets;

import static dev.outpost.agent.targets.KubernetesNames.AGENT;
import static dev.outpost.agent.targets.KubernetesNames.COMPONENT;
import static dev.outpost.agent.targets.KubernetesNames.INTEGRATION_LABEL;
import static dev.outpost.agent.targets.KubernetesNames.MANAGED_BY;
import static dev.outpost.agent.targets.KubernetesNames.PROJECT_LABEL;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.Resources;
import dev.outpost.spec.model.SecretRef;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The Kubernetes objects one integration runs as: an immutable ConfigMap {@code int-X-<hash>} per
 * version of its document, a Deployment {@code int-X} of the runtime image under the restricted Pod
 * Security profile, and a Service {@code int-X} (port 80 to 8080). Pure functions of the
 * integration, the config and the document the live Deployment used before.
 *
 * <p>The pod is only sent requests once its runtime reports ready on the management port (the
 * integration applied), so a rolling update keeps the old pod until the new one serves; on SIGTERM
 * the runtime serves on with readiness down for {@link #SHUTDOWN_DELAY_SECONDS}, while the Service
 * drops the pod, then lets the requests in flight finish within the rest of the grace period.
 */
public final class IntegrationObjects {
  /** Pod annotation that changes with the document, so a changed integration rolls out. */
  public static final String DOCUMENT_HASH = "outpost.dev/document-sha256";
  /** Pod annotation that changes with the ingest token, so pods restart with a new one. */
  public static final String INGEST_TOKEN_HASH = "outpost.dev/ingest-token-sha256";
  /**
   * Deployment annotation listing (comma-separated) the document ConfigMaps of earlier versions whose
   * pods may still run: kept until a rollout is seen complete, so that an old pod restarted or
   * replaced meanwhile still finds its own.
   */
  public static final String PREVIOUS_DOCUMENTS = "outpost.dev/previous-documents";
  /** Deployment annotation with the integration's version (free text, so not a label). */
  public static final String VERSION_ANNOTATION = "outpost.dev/version";

  /**
   * The delay, the default route timeout (30 s: the gateway waits that long for an answer) and 2 s,
   * and some to spare: a request arriving as the delay ends still has its route's time.
   */
  static final long GRACE_PERIOD_SECONDS = 40;
  /** The writable /tmp of a runtime pod (Vert.x file cache, Camel stream caching). */
  static final String TMP_SIZE_LIMIT = "256Mi";
  static final long SHUTDOWN_DELAY_SECONDS = 5;
  /**
   * What is left for requests in flight, less 2 s for the JVM's own exit before the kubelet's SIGKILL
   * and the 1 s Camel's stop of the routes gets at least (CamelStopBudget).
   */
  static final long SHUTDOWN_TIMEOUT_SECONDS = GRACE_PERIOD_SECONDS - SHUTDOWN_DELAY_SECONDS - 2 - 1;
  /** All of the stop, Camel's after the HTTP drain included, less the same 2 s. */
  static final long STOP_WITHIN_SECONDS = GRACE_PERIOD_SECONDS - 2;

  private final KubernetesTargetConfig config;

  public IntegrationObjects(KubernetesTargetConfig config) {
    this.config = config;
  }

  public static Map<String, String> selector(String integration) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, AGENT);
    labels.put(INTEGRATION_LABEL, integration);
    return labels;
  }

  static Map<String, String> labels(Integration integration) {
    Map<String, String> labels = selector(integration.name());
    labels.put(PROJECT_LABEL, integration.project());
    labels.put(COMPONENT, "integration");
    return labels;
  }

  /** An object of {@code integration} named {@code name}, in the agent's namespace, with its labels. */
  private ObjectMeta metadata(Integration integration, String name) {
    return new ObjectMetaBuilder().withName(name).withNamespace(config.namespace()).withLabels(labels(integration))
        .build();
  }

  /** The document's ConfigMap, named by its content and immutable: what a pod mounts never changes under it. */
  public ConfigMap configMap(Integration integration, String document) {
    return new ConfigMapBuilder()
        .withMetadata(metadata(integration, KubernetesNames.documentConfigMap(integration.name(), sha256(document))))
        .withImmutable(true)
        .withData(Map.of(KubernetesNames.integrationKey(integration.name()), document))
        .build();
  }

  /** The document ConfigMap a Deployment's pods mount; null when it has none. */
  public static String documentConfigMapOf(Deployment deployment) {
    if (deployment == null || deployment.getSpec() == null || deployment.getSpec().getTemplate() == null
        || deployment.getSpec().getTemplate().getSpec() == null || deployment.getSpec().getTemplate().getSpec().getVolumes() == null) {
      return null;
    }
    return deployment.getSpec().getTemplate().getSpec().getVolumes().stream()
        .filter(v -> "integration".equals(v.getName()) && v.getConfigMap() != null)
        .map(v -> v.getConfigMap().getName()).findFirst().orElse(null);
  }

  /**
   * At most one of the integration's pods down at once for a voluntary disruption (a node drain, a
   * cluster upgrade): without it a drain evicted every replica of a node together, and with the soft
   * spread several of one integration may share a node. One replica may still be evicted (a budget
   * that blocked it would hang every drain); the rollout's own surge is not bounded by it.
   */
  public PodDisruptionBudget disruptionBudget(Integration integration) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(metadata(integration, KubernetesNames.objectName(integration.name())))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(selector(integration.name()))
        .endSelector()
        .endSpec()
        .build();
  }

  public Service service(Integration integration) {
    return new ServiceBuilder()
        .withMetadata(metadata(integration, KubernetesNames.objectName(integration.name())))
        .withNewSpec()
        // written out, so that drift correction puts it back: a Service patched to LoadBalancer or
        // NodePort exposed the integration past the gateway, its authentication and identity headers
        .withType("ClusterIP")
        .withSelector(selector(integration.name()))
        .addNewPort()
        .withName("http")
        .withProtocol("TCP")
        .withPort(KubernetesNames.SERVICE_PORT)
        .withNewTargetPort(KubernetesNames.CONTAINER_PORT)
        .endPort()
        .endSpec()
        .build();
  }

  /**
   * @param ingestToken the integration's OTLP ingest token, read by the pod from Secret {@code
   *     outpost-integration-tokens}; empty for none
   */
  public Deployment deployment(Integration integration, String document, Optional<String> ingestToken) {
    return deployment(integration, document, ingestToken, List.of());
  }

  /**
   * @param previousDocuments the document ConfigMaps of earlier versions whose pods may still run
   *     ({@link #PREVIOUS_DOCUMENTS})
   */
  public Deployment deployment(Integration integration, String document, Optional<String> ingestToken,
      List<String> previousDocuments) {
    String name = KubernetesNames.objectName(integration.name());
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(
        new VolumeBuilder()
            .withName("integration")
            .withNewConfigMap()
            .withName(KubernetesNames.documentConfigMap(integration.name(), sha256(document)))
            .endConfigMap()
            .build());
    // the one file, by subPath: the kubelet never updates it in a running pod. Mounted as a directory,
    // a new version reached the old pods too, whose runtime reloaded it; one that failed there made
    // every old pod unready at once (readiness needs every integration Ready), and the Service had
    // no endpoint. Now the rollout brings a new version in new pods only, and if it fails the old
    // pods go on serving the old one (a rollout that cannot progress stops, as Kubernetes does).
    String key = KubernetesNames.integrationKey(integration.name());
    mounts.add(new VolumeMountBuilder().withName("integration").withMountPath(config.integrationsDir() + "/" + key)
        .withSubPath(key).withReadOnly(true).build());
    // bounded like the chart's own pods: past it the kubelet evicts this pod, not a node's worth of pods
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity(TMP_SIZE_LIMIT))
        .endEmptyDir().build());
    mounts.add(mount("tmp", "/tmp"));
    // only the keys the integration declares: the whole Secret gave it every other key too (an admin
    // password beside the API token it asked for)
    for (Map.Entry<String, Set<String>> secret : secretKeys(integration.secrets()).entrySet()) {
      String volume = "secret-" + (volumes.size() - 2);
      volumes.add(
          new VolumeBuilder()
              .withName(volume)
              .withNewSecret()
              .withSecretName(secret.getKey())
              .withItems(secret.getValue().stream().map(item -> new KeyToPath(item, null, item)).toList())
              .endSecret()
              .build());
      mounts.add(mount(volume, config.secretsDir() + "/" + secret.getKey()));
    }
    Map<String, String> podLabels = new LinkedHashMap<>(config.podLabels());
    podLabels.putAll(labels(integration));
    return new DeploymentBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(config.namespace())
        .withLabels(labels(integration))
        .withAnnotations(deploymentAnnotations(integration, previousDocuments))
        .endMetadata()
        .withNewSpec()
        .withReplicas(integration.replicas())
        // no pod of the running version goes before a new one is ready: a version that cannot start
        // costs no capacity (Kubernetes' default of 25% unavailable would stop one pod in four at once)
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxUnavailable(new IntOrString(0))
        .withMaxSurge(new IntOrString("25%"))
        .endRollingUpdate()
        .endStrategy()
        .withNewSelector()
        .withMatchLabels(selector(integration.name()))
        .endSelector()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(podAnnotations(config.placement().podAnnotations(), document, ingestToken))
        .endMetadata()
        .withNewSpec()
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        // written out for drift correction too: a pod patched onto the node's namespaces is put back
        .withHostNetwork(false)
        .withHostPID(false)
        .withHostIPC(false)
        .withImagePullSecrets(config.imagePullSecrets())
        .withSecurityContext(config.podSecurityContext().orElseGet(IntegrationObjects::restrictedPod))
        .withNodeSelector(config.placement().nodeSelector().isEmpty() ? null : config.placement().nodeSelector())
        .withTolerations(config.placement().tolerations().isEmpty() ? null : config.placement().tolerations())
        .withAffinity(config.placement().affinity())
        .withPriorityClassName(config.placement().priorityClassName().isEmpty() ? null : config.placement().priorityClassName())
        // a replica per node where there are nodes enough: one node drained takes one of them, not all
        .withTopologySpreadConstraints(new TopologySpreadConstraintBuilder().withMaxSkew(1)
            .withTopologyKey("kubernetes.io/hostname").withWhenUnsatisfiable("ScheduleAnyway")
            .withNewLabelSelector().withMatchLabels(selector(integration.name())).endLabelSelector().build())
        .withTerminationGracePeriodSeconds(GRACE_PERIOD_SECONDS)
        .withContainers(container(integration, mounts, ingestToken.isPresent()))
        .withVolumes(volumes)
        .endSpec()
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Map<String, String> deploymentAnnotations(Integration integration, List<String> previousDocuments) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(VERSION_ANNOTATION, integration.version());
    // always written, empty too: an annotation left out would stay on the live object as it was
    annotations.put(PREVIOUS_DOCUMENTS, String.join(",", previousDocuments));
    return annotations;
  }

  /** The earlier documents a Deployment's annotation lists. */
  public static List<String> previousDocumentsOf(Deployment deployment) {
    var annotations = deployment == null ? null : deployment.getMetadata().getAnnotations();
    String listed = annotations == null ? null : annotations.get(PREVIOUS_DOCUMENTS);
    return listed == null || listed.isBlank() ? List.of() : List.of(listed.split(","));
  }

  /** Whether every pod of a Deployment is of its current template: no older version's pod is left. */
  public static boolean rolledOut(Deployment deployment) {
    var status = deployment.getStatus();
    Long generation = deployment.getMetadata().getGeneration();
    if (status == null || generation == null || status.getObservedGeneration() == null
        || status.getObservedGeneration() < generation) {
      return false;
    }
    int desired = deployment.getSpec().getReplicas() == null ? 1 : deployment.getSpec().getReplicas();
    int updated = status.getUpdatedReplicas() == null ? 0 : status.getUpdatedReplicas();
    int pods = status.getReplicas() == null ? 0 : status.getReplicas();
    return updated >= desired && pods <= updated;
  }

  private static Map<String, String> podAnnotations(Map<String, String> extra, String document,
      Optional<String> ingestToken) {
    Map<String, String> annotations = new LinkedHashMap<>(extra);
    annotations.put(DOCUMENT_HASH, sha256(document));
    ingestToken.ifPresent(t -> annotations.put(INGEST_TOKEN_HASH, sha256(t)));
    return annotations;
  }

  private Container container(Integration integration, List<VolumeMount> mounts, boolean withIngestToken) {
    return new ContainerBuilder()
        .withName("runtime")
        .withImage(config.runtimeImage())
        .withImagePullPolicy(config.imagePullPolicy())
        .addNewPort()
        .withName("http")
        .withContainerPort(KubernetesNames.CONTAINER_PORT)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withName("management")
        .withContainerPort(KubernetesNames.MANAGEMENT_PORT)
        .withProtocol("TCP")
        .endPort()
        .withEnv(env(integration, withIngestToken))
        // the chart's probes for its own components: a slow JVM start is not a dead one
        .withStartupProbe(probe("/q/health/started", 2, 60))
        .withLivenessProbe(probe("/q/health/live", 10, 3))
        .withReadinessProbe(probe("/q/health/ready", 5, 3))
        .withResources(resources(config.defaultResources(), integration.resources()))
        .withSecurityContext(config.containerSecurityContext().orElseGet(IntegrationObjects::restrictedContainer))
        .withVolumeMounts(mounts)
        .build();
  }

  /** The runtime's own configuration keys (integration-runtime application.properties). */
  private List<EnvVar> env(Integration integration, boolean withIngestToken) {
    List<EnvVar> env = new ArrayList<>();
    env.add(new EnvVar("OUTPOST_RUNTIME_INTEGRATIONS_DIR", config.integrationsDir(), null));
    env.add(new EnvVar("OUTPOST_RUNTIME_SECRETS_DIR", config.secretsDir(), null));
    // one integration per pod: a version that fails to deploy must not count as a ready pod
    env.add(new EnvVar("OUTPOST_RUNTIME_READY_REQUIRES_EVERY_INTEGRATION", "true", null));
    env.add(new EnvVar("QUARKUS_HTTP_PORT", Integer.toString(KubernetesNames.CONTAINER_PORT), null));
    env.add(new EnvVar("QUARKUS_MANAGEMENT_PORT", Integer.toString(KubernetesNames.MANAGEMENT_PORT), null));
    env.add(new EnvVar("QUARKUS_SHUTDOWN_DELAY", SHUTDOWN_DELAY_SECONDS + "s", null));
    env.add(new EnvVar("QUARKUS_SHUTDOWN_TIMEOUT", SHUTDOWN_TIMEOUT_SECONDS + "s", null));
    env.add(new EnvVar("OUTPOST_RUNTIME_STOP_WITHIN", STOP_WITHIN_SECONDS + "s", null));
    if (config.otlpEndpoint().isPresent()) {
      env.add(new EnvVar("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT", config.otlpEndpoint().get(), null));
    } else {
      // nowhere to send telemetry (observability-api off): the runtime's default, 127.0.0.1:4318, would
      // only log a failed export every few seconds
      env.add(new EnvVar("QUARKUS_OTEL_SDK_DISABLED", "true", null));
    }
    if (withIngestToken) {
      env.add(new EnvVarBuilder().withName("OUTPOST_INGEST_TOKEN").withNewValueFrom().withNewSecretKeyRef()
          .withName(KubernetesNames.INGEST_TOKENS_SECRET).withKey(integration.name()).endSecretKeyRef()
          .endValueFrom().build());
    }
    return env;
  }

  private static Probe probe(String path, int periodSeconds, int failureThreshold) {
    return new ProbeBuilder()
        .withNewHttpGet().withPath(path).withPort(new IntOrString("management")).endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withTimeoutSeconds(3)
        .withFailureThreshold(failureThreshold)
        .build();
  }

  /** The Pod Security Standards "restricted" profile, for the pod. */
  static PodSecurityContext restrictedPod() {
    return new PodSecurityContextBuilder().withRunAsNonRoot(true)
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile().build();
  }

  /** The Pod Security Standards "restricted" profile, for the container. */
  static SecurityContext restrictedContainer() {
    return new SecurityContextBuilder().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true).withNewCapabilities().withDrop("ALL").endCapabilities().build();
  }

  /**
   * The chart's defaults with what the integration sets laid over them, one field at a time: a spec
   * setting only its CPU request (or {@code resources: {}}) replaced them all, and the pod ran with no
   * memory request or limit, its JVM sizing its heap from the node's memory.
   */
  static ResourceRequirements resources(ResourceRequirements defaults, Resources resources) {
    Map<String, Quantity> requests = new LinkedHashMap<>(defaults.getRequests() == null ? Map.of() : defaults.getRequests());
    Map<String, Quantity> limits = new LinkedHashMap<>(defaults.getLimits() == null ? Map.of() : defaults.getLimits());
    if (resources != null) {
      overlay(requests, limits, "cpu", resources.requestsCpu(), resources.limitsCpu());
      overlay(requests, limits, "memory", resources.requestsMemory(), resources.limitsMemory());
    }
    ResourceRequirements requirements = new ResourceRequirements();
    requirements.setRequests(requests.isEmpty() ? null : requests);
    requirements.setLimits(limits.isEmpty() ? null : limits);
    return requirements;
  }

  /**
   * The integration's request and limit of one resource over the defaults. A default that would
   * contradict what the integration sets gives way, as the API server refuses a request over its
   * limit (422, the whole revision failed): a default limit below the integration's request is
   * raised to it, a default request above its limit lowered to it. The spec checks the two it sets.
   */
  private static void overlay(Map<String, Quantity> requests, Map<String, Quantity> limits, String resource,
      String request, String limit) {
    putIfSet(requests, resource, request);
    putIfSet(limits, resource, limit);
    Quantity requested = requests.get(resource);
    Quantity allowed = limits.get(resource);
    if (requested == null || allowed == null || (request == null) == (limit == null) || !above(requested, allowed)) {
      return;
    }
    if (request != null) {
      limits.put(resource, requested);
    } else {
      requests.put(resource, allowed);
    }
  }

  /** Whether {@code a} is more than {@code b}; not when either cannot be read (the API server says so then). */
  private static boolean above(Quantity a, Quantity b) {
    try {
      return Quantity.getAmountInBytes(a).compareTo(Quantity.getAmountInBytes(b)) > 0;
    } catch (RuntimeException unreadable) {
      return false;
    }
  }

  private static void putIfSet(Map<String, Quantity> map, String key, String value) {
    if (value != null) {
      map.put(key, new Quantity(value));
    }
  }

  /**
   * Read-only but for /tmp, whose {@code readOnly} is left unset rather than false: the API server
   * drops a false it stores, and a live object without it no longer held what the agent asked, so
   * every reconcile rewrote every Deployment.
   */
  private static VolumeMount mount(String volume, String path) {
    return new VolumeMountBuilder().withName(volume).withMountPath(path)
        .withReadOnly("tmp".equals(volume) ? null : Boolean.TRUE).build();
  }

  /** The declared keys of each Secret, both in order. */
  private static Map<String, Set<String>> secretKeys(List<SecretRef> refs) {
    Map<String, Set<String>> keys = new TreeMap<>();
    refs.forEach(ref -> keys.computeIfAbsent(ref.name(), name -> new TreeSet<>()).add(ref.key()));
    return keys;
  }

  static String sha256(String document) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(document.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
