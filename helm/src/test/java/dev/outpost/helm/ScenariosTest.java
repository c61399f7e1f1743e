package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.api.Test;

import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What each install scenario renders: components switch on and off, optional objects only when asked. */
class ScenariosTest {

    private static Rendered scenario(String name) {
        return Chart.render(Chart.CI.resolve(name));
    }

    private static Set<String> components(Rendered rendered) {
        return rendered.objects().stream().map(Rendered::component).collect(Collectors.toSet());
    }

    private static Map<String, EnvVar> env(Rendered rendered, String workloadId) {
        return rendered.workloads().stream().filter(w -> w.id().equals(workloadId)).findFirst().orElseThrow()
                .spec().getContainers().get(0).getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
    }

    @Test
    void defaultsInstallEveryComponentWithNothingOptional() {
        Rendered rendered = scenario("defaults-values.yaml");

        assertThat(components(rendered)).contains("gateway", "observability", "agent", "integration", "test");
        assertThat(rendered.all(Ingress.class)).isEmpty();
        assertThat(rendered.all(HorizontalPodAutoscaler.class)).isEmpty();
        assertThat(rendered.objects()).noneMatch(o -> o.getKind().equals("PodMonitor") || o.getKind().equals("PrometheusRule"));
        // two gateways: a drain of both nodes at once leaves one serving
        assertThat(rendered.get(PodDisruptionBudget.class, "acme-outpost-gateway").getSpec().getMinAvailable().getIntVal())
                .isEqualTo(1);
        StatefulSet observability = rendered.get(StatefulSet.class, "acme-outpost-observability");
        assertThat(observability.getSpec().getVolumeClaimTemplates()).as("persistence off").isEmpty();
        // the emptyDir's disk is reserved at scheduling, so disk pressure does not evict this pod first
        assertThat(observability.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                .containsEntry("ephemeral-storage", new io.fabric8.kubernetes.api.model.Quantity("10Gi"))
                .containsKey("memory");
        assertThat(observability.getSpec().getTemplate().getSpec().getVolumes())
                .anySatisfy(v -> assertThat(v.getName()).isEqualTo("data"));
        assertThat(rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getReplicas()).isEqualTo(2);
        assertThat(env(rendered, "Deployment/acme-outpost-gateway").get("QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS").getValue())
                .as("connections bounded by default").isEqualTo("8192");
        assertThat(env(Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("gateway.maxConnections", "null")),
                "Deployment/acme-outpost-gateway")).doesNotContainKey("QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS");
        // old members begin to stop one at a time, each after a new one is ready
        assertThat(rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getStrategy().getRollingUpdate())
                .satisfies(r -> {
                    assertThat(r.getMaxSurge().getIntVal()).isEqualTo(1);
                    assertThat(r.getMaxUnavailable().getIntVal()).isZero();
                });
        assertThat(rendered.get(Deployment.class, "acme-outpost-agent").getSpec().getStrategy().getType())
                .as("a single agent never overlaps its successor").isEqualTo("Recreate");
        assertThat(env(rendered, "Deployment/acme-outpost-agent").get("OUTPOST_AGENT_LEADER_ELECTION_ENABLED").getValue())
                .isEqualTo("false");
        assertThat(env(rendered, "Deployment/acme-outpost-gateway")).containsKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")
                .doesNotContainKey("QUARKUS_OTEL_SDK_DISABLED");
        // the agent has no OpenTelemetry SDK: these would read as if its logs reached observability-api
        assertThat(env(rendered, "Deployment/acme-outpost-agent")).containsKey("OUTPOST_INGEST_TOKEN")
                .doesNotContainKeys("OTEL_SERVICE_NAME", "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT",
                        "QUARKUS_OTEL_EXPORTER_OTLP_HEADERS", "QUARKUS_OTEL_SDK_DISABLED");
    }

    /**
     * Each component's PodMonitor selects that component's pods, which name the management port it
     * scrapes; integration pods by the labels the agent gives them (runtime.json).
     */
    @SuppressWarnings("unchecked")
    private static void assertPodMonitorsScrapeEveryComponent(Rendered rendered) {
        List<io.fabric8.kubernetes.api.model.GenericKubernetesResource> monitors = rendered.objects().stream()
                .filter(o -> o.getKind().equals("PodMonitor"))
                .map(io.fabric8.kubernetes.api.model.GenericKubernetesResource.class::cast).toList();
        assertThat(monitors).extracting(m -> m.getMetadata().getName()).containsExactlyInAnyOrder(
                "acme-outpost-gateway", "acme-outpost-observability", "acme-outpost-agent", "acme-outpost-integration");
        Map<String, io.fabric8.kubernetes.api.model.PodTemplateSpec> pods = Map.of(
                "acme-outpost-gateway", rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getTemplate(),
                "acme-outpost-observability", rendered.get(StatefulSet.class, "acme-outpost-observability").getSpec().getTemplate(),
                "acme-outpost-agent", rendered.get(Deployment.class, "acme-outpost-agent").getSpec().getTemplate());
        Map<String, String> integrationPodLabels = new java.util.HashMap<>();
        try {
            com.fasterxml.jackson.databind.JsonNode runtime = new com.fasterxml.jackson.databind.ObjectMapper().readTree(
                    rendered.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "acme-outpost-agent").getData().get("runtime.json"));
            runtime.path("podLabels").fields().forEachRemaining(e -> integrationPodLabels.put(e.getKey(), e.getValue().asText()));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        for (var monitor : monitors) {
            Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
            Map<String, String> selector = (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
            List<Map<String, Object>> endpoints = (List<Map<String, Object>>) spec.get("podMetricsEndpoints");
            assertThat(endpoints).singleElement().satisfies(e -> {
                assertThat(e).containsEntry("port", "management").containsEntry("path", "/q/metrics");
            });
            assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
            String name = monitor.getMetadata().getName();
            if (name.equals("acme-outpost-integration")) {
                assertThat(integrationPodLabels).containsAllEntriesOf(selector);
            } else {
                assertThat(pods.get(name).getMetadata().getLabels()).as(name).containsAllEntriesOf(selector);
                assertThat(pods.get(name).getSpec().getContainers().get(0).getPorts()).as(name)
                        .anySatisfy(p -> assertThat(p.getName()).isEqualTo("management"));
            }
        }
    }

    /** A claim the platform team made beforehand holds the data; none is created. */
    @Test
    void observabilityKeepsItsDataOnAnExistingClaim() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.persistence.enabled", "true", "observability.persistence.existingClaim", "obs-data"));
        StatefulSet observability = rendered.get(StatefulSet.class, "acme-outpost-observability");

        assertThat(observability.getSpec().getVolumeClaimTemplates()).isEmpty();
        assertThat(observability.getSpec().getTemplate().getSpec().getVolumes()).filteredOn(v -> v.getName().equals("data"))
                .singleElement().satisfies(v -> assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("obs-data"));
        assertThat(observability.getSpec().getTemplate().getSpec().getContainers().get(0).getResources().getRequests())
                .as("no emptyDir to reserve").doesNotContainKey("ephemeral-storage");
    }

    /**
     * Each HTTPRoute attaches to the Gateways given and sends its prefix to its component's Service on
     * the port that Service names: the gateway's public port, observability-api's query port (never OTLP).
     */
    private static void assertHttpRoutesReachTheirServices(Rendered rendered) {
        Map<String, String> prefixes = Map.of("acme-outpost-gateway", "/", "acme-outpost-observability", "/api");
        assertThat(rendered.all(HTTPRoute.class)).extracting(r -> r.getMetadata().getName())
                .containsExactlyInAnyOrderElementsOf(prefixes.keySet());
        for (HTTPRoute route : rendered.all(HTTPRoute.class)) {
            String name = route.getMetadata().getName();
            assertThat(route.getApiVersion()).isEqualTo("gateway.networking.k8s.io/v1");
            assertThat(route.getSpec().getParentRefs()).singleElement().satisfies(p -> {
                assertThat(p.getName()).isEqualTo("public");
                assertThat(p.getNamespace()).isEqualTo("gateways");
            });
            HTTPRouteRule rule = route.getSpec().getRules().get(0);
            assertThat(rule.getMatches().get(0).getPath().getType()).isEqualTo("PathPrefix");
            assertThat(rule.getMatches().get(0).getPath().getValue()).isEqualTo(prefixes.get(name));
            Service service = rendered.get(Service.class, name);
            assertThat(rule.getBackendRefs()).singleElement().satisfies(backend -> {
                assertThat(backend.getName()).isEqualTo(name);
                assertThat(backend.getPort()).isEqualTo(service.getSpec().getPorts().get(0).getPort());
            });
        }
        assertThat(rendered.get(HTTPRoute.class, "acme-outpost-gateway").getSpec().getHostnames())
                .containsExactly("api2.acme.example");
    }

    /** Claims removed with the release when asked (Kubernetes keeps them by default, and so does the chart). */
    @Test
    void observabilitysClaimsGoWithTheReleaseWhenAsked() {
        Rendered kept = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.persistence.enabled", "true"));
        assertThat(kept.get(StatefulSet.class, "acme-outpost-observability").getSpec()
                .getPersistentVolumeClaimRetentionPolicy()).isNull();
        Rendered deleted = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.persistence.enabled", "true",
                "observability.persistence.claimRetention.whenDeleted", "Delete"));
        assertThat(deleted.get(StatefulSet.class, "acme-outpost-observability").getSpec()
                .getPersistentVolumeClaimRetentionPolicy().getWhenDeleted()).isEqualTo("Delete");
    }

    @Test
    void everythingOnRendersTheOptionalObjects() {
        Rendered rendered = scenario("everything-values.yaml");
        assertPodMonitorsScrapeEveryComponent(rendered);

        assertThat(rendered.all(Ingress.class)).extracting(i -> i.getMetadata().getName())
                .containsExactlyInAnyOrder("acme-outpost-gateway", "acme-outpost-observability");
        assertThat(rendered.get(Ingress.class, "acme-outpost-observability").getSpec().getRules().get(0).getHttp().getPaths()
                .get(0).getBackend().getService().getName()).as("the query API, never OTLP").isEqualTo("acme-outpost-observability");
        assertHttpRoutesReachTheirServices(rendered);
        assertThat(rendered.get(HorizontalPodAutoscaler.class, "acme-outpost-gateway").getSpec().getMaxReplicas()).isEqualTo(12);
        assertThat(rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getReplicas())
                .as("the HPA owns the replica count").isNull();
        assertThat(rendered.get(PodDisruptionBudget.class, "acme-outpost-gateway").getSpec().getMinAvailable().getIntVal()).isEqualTo(2);
        StatefulSet observability = rendered.get(StatefulSet.class, "acme-outpost-observability");
        assertThat(observability.getSpec().getVolumeClaimTemplates()).singleElement().satisfies(claim -> {
            assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast-ssd");
            assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
        });
        assertThat(env(rendered, "Deployment/acme-outpost-agent").get("OUTPOST_AGENT_LEADER_ELECTION_ENABLED").getValue())
                .isEqualTo("true");
        // several agents too: a rollout never runs an old agent beside a new leader (1 -> 2 replicas, a new lease name)
        assertThat(rendered.get(Deployment.class, "acme-outpost-agent").getSpec().getStrategy().getType()).isEqualTo("Recreate");
    }

    @Test
    void theAgentIsConfiguredForKubernetes() {
        Rendered rendered = scenario("defaults-values.yaml");
        Map<String, EnvVar> env = env(rendered, "Deployment/acme-outpost-agent");

        assertThat(env.get("OUTPOST_AGENT_TARGET").getValue()).isEqualTo("kubernetes");
        assertThat(env.get("OUTPOST_AGENT_DATA_PLANE").getValue()).isEqualTo("acme-prod-eu1");
        assertThat(env.get("OUTPOST_AGENT_KUBERNETES_RUNTIME_IMAGE").getValue())
                .isEqualTo(rendered.runtimeTemplate().orElseThrow().get("image"));
        assertThat(env.get("OUTPOST_AGENT_LEADER_ELECTION_LEASE_NAME").getValue()).isEqualTo("acme-outpost-agent");
        assertThat(env.get("OUTPOST_AGENT_AUDIT_ENDPOINT").getValue()).isEqualTo("http://acme-outpost-otlp.integrations.svc:4318");
        assertThat(env.get("OUTPOST_AGENT_GATEWAY_STATUS_URL").getValue())
                .isEqualTo("http://acme-outpost-gateway-headless.integrations.svc.cluster.local:9000/outpost/routes");
        assertThat(env.get("OUTPOST_AGENT_HOME").getValue()).as("writable with a read-only root").startsWith("/tmp/");
    }

    @Test
    void theOtlpServiceStaysInsideTheCluster() {
        Rendered rendered = scenario("everything-values.yaml");

        Service otlp = rendered.get(Service.class, "acme-outpost-otlp");
        assertThat(otlp.getSpec().getType()).isEqualTo("ClusterIP");
        assertThat(otlp.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(4318));
        assertThat(rendered.get(Service.class, "acme-outpost-gateway").getSpec().getType()).isEqualTo("LoadBalancer");
    }

    @Test
    void gatewayReplicasFormOneHazelcastCluster() {
        Rendered rendered = scenario("defaults-values.yaml");
        Map<String, EnvVar> env = env(rendered, "Deployment/acme-outpost-gateway");

        Service headless = rendered.get(Service.class, "acme-outpost-gateway-headless");
        assertThat(headless.getSpec().getClusterIP()).isEqualTo("None");
        assertThat(headless.getSpec().getPublishNotReadyAddresses()).as("members find each other while starting").isTrue();
        assertThat(headless.getSpec().getSelector()).isEqualTo(
                rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getSelector().getMatchLabels());
        assertThat(env.get("OUTPOST_GATEWAY_HAZELCAST_KUBERNETES_DISCOVERY").getValue()).isEqualTo("true");
        assertThat(env.get("OUTPOST_GATEWAY_HAZELCAST_KUBERNETES_SERVICE").getValue())
                .isEqualTo("acme-outpost-gateway-headless.integrations.svc.cluster.local");
        assertThat(env.get("OUTPOST_GATEWAY_HAZELCAST_CLUSTER_NAME").getValue()).isEqualTo("acme-outpost");
        assertThat(env.get("OUTPOST_GATEWAY_HAZELCAST_HOST").getValue()).as("advertise the pod address").isEqualTo("$(POD_IP)");
        assertThat(env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("status.podIP");
    }

    @Test
    void trustedProxiesReachTheGatewayOnlyWhenSet() {
        assertThat(env(scenario("everything-values.yaml"), "Deployment/acme-outpost-gateway")
                .get("OUTPOST_GATEWAY_TRUSTED_PROXIES").getValue()).isEqualTo("10.42.0.0/16,fd00:42::/64");
        assertThat(env(scenario("defaults-values.yaml"), "Deployment/acme-outpost-gateway"))
                .as("no proxy is trusted by default").doesNotContainKey("OUTPOST_GATEWAY_TRUSTED_PROXIES");
    }

    @Test
    void gatewayOnly() {
        Rendered rendered = scenario("gateway-only-values.yaml");

        assertThat(components(rendered)).contains("gateway").doesNotContain("observability", "agent", "integration");
        assertThat(env(rendered, "Deployment/acme-outpost-gateway")).doesNotContainKey("QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")
                .as("nowhere to export to: telemetry off, not failing exports to 127.0.0.1:4318")
                .hasEntrySatisfying("QUARKUS_OTEL_SDK_DISABLED", e -> assertThat(e.getValue()).isEqualTo("true"));
        assertThat(rendered.all(Secret.class)).as("no agent: no control plane token; no observability-api: no ingest token")
                .isEmpty();
    }

    /** Without observability-api nothing sends telemetry or audit records to an address nobody serves. */
    @Test
    void withoutObservabilityNoPartSendsTelemetry() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("observability.enabled", "false"));
        assertThat(env(rendered, "Deployment/acme-outpost-gateway"))
                .hasEntrySatisfying("QUARKUS_OTEL_SDK_DISABLED", e -> assertThat(e.getValue()).isEqualTo("true"));
        Map<String, EnvVar> agent = env(rendered, "Deployment/acme-outpost-agent");
        assertThat(agent.get("OUTPOST_AGENT_AUDIT_ENABLED").getValue()).isEqualTo("false");
        assertThat(agent).doesNotContainKey("OUTPOST_AGENT_AUDIT_ENDPOINT");
        assertThat(rendered.get(io.fabric8.kubernetes.api.model.ConfigMap.class, "acme-outpost-agent").getData()
                .get("runtime.json")).as("integration pods: no endpoint, so the agent turns their telemetry off")
                .contains("\"otlpEndpoint\": \"\"");
    }

    @Test
    void observabilityOnly() {
        Rendered rendered = scenario("observability-only-values.yaml");

        assertThat(components(rendered)).contains("observability").doesNotContain("gateway", "agent", "integration");
        assertThat(env(rendered, "StatefulSet/acme-outpost-observability").get("QUARKUS_HTTP_CORS_ORIGINS").getValue())
                .isEqualTo("https://console.outpost.example");
    }

    @Test
    void theControlPlaneSecretHoldsTheValues() {
        Secret secret = scenario("defaults-values.yaml").get(Secret.class, "acme-outpost-control-plane");

        assertThat(decode(secret.getData().get("url"))).isEqualTo("wss://control.outpost.example/v1/connect");
        assertThat(decode(secret.getData().get("token"))).isEqualTo("dp-token-defaults");
        assertThat(decode(secret.getData().get("public-key"))).as("ci/defaults-values.yaml's controlPlane.publicKey")
                .isEqualTo("MCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=");
    }

    @Test
    void anExistingSecretIsReadAndNoneIsCreated() {
        Rendered rendered = scenario("existing-secret-values.yaml");

        assertThat(rendered.all(Secret.class)).isEmpty();
        Map<String, EnvVar> agent = env(rendered, "Deployment/acme-outpost-agent");
        assertThat(List.of("OUTPOST_AGENT_CONTROL_PLANE_URL", "OUTPOST_AGENT_CONTROL_PLANE_TOKEN",
                "OUTPOST_AGENT_CONTROL_PLANE_PUBLIC_KEY"))
                .extracting(name -> agent.get(name).getValueFrom().getSecretKeyRef())
                .allSatisfy(ref -> assertThat(ref.getName()).isEqualTo("outpost-control-plane"))
                .extracting(ref -> ref.getKey())
                .containsExactly("control-plane-url", "data-plane-token", "control-plane-public-key");
        assertThat(agent.get("OUTPOST_INGEST_TOKEN").getValueFrom().getSecretKeyRef().getName()).isEqualTo("outpost-ingest");
        assertThat(env(rendered, "StatefulSet/acme-outpost-observability").get("OUTPOST_OBSERVABILITY_INGEST_DATA_PLANE_TOKEN")
                .getValueFrom().getSecretKeyRef().getName()).isEqualTo("outpost-ingest");
        assertThat(agent.get("OUTPOST_AGENT_KUBERNETES_RESERVED_SECRETS").getValue())
                .as("integration pods may mount neither").isEqualTo("outpost-control-plane,outpost-ingest");
    }

    /**
     * A Secret the release refers to sits in the namespace, where an integration could declare and
     * mount it: registry credentials, the gateway's API-key hashes, an Ingress's TLS private key, a
     * Secret a component's extraEnv reads (those were left out).
     */
    @Test
    void noIntegrationMayMountASecretTheReleaseRefersTo() {
        Map<String, EnvVar> agent = env(scenario("everything-values.yaml"), "Deployment/acme-outpost-agent");
        assertThat(agent.get("OUTPOST_AGENT_KUBERNETES_RESERVED_SECRETS").getValue().split(","))
                .contains("acme-outpost-control-plane", "acme-outpost-ingest", "registry-credentials", "partner-api-keys",
                        "api-acme-tls", "telemetry-acme-tls", "partner-signing", "telemetry-archive", "corp-proxy")
                .doesNotHaveDuplicates();
    }

    /** Whatever names a Secret in what the chart renders, the agent keeps it from integrations. */
    @org.junit.jupiter.params.ParameterizedTest(name = "{0}")
    @org.junit.jupiter.params.provider.MethodSource(Chart.SCENARIOS)
    void everySecretTheRenderedObjectsReferToIsReserved(java.nio.file.Path scenario) {
        Rendered rendered = Chart.render(scenario);
        org.junit.jupiter.api.Assumptions.assumeTrue(rendered.find(Deployment.class, "acme-outpost-agent").isPresent(), "no agent");

        Set<String> referred = new java.util.TreeSet<>();
        for (Rendered.Workload workload : rendered.workloads()) {
            workload.spec().getImagePullSecrets().forEach(s -> referred.add(s.getName()));
            workload.spec().getVolumes().stream().filter(v -> v.getSecret() != null)
                    .forEach(v -> referred.add(v.getSecret().getSecretName()));
            workload.spec().getContainers().forEach(c -> {
                c.getEnv().stream().filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                        .forEach(e -> referred.add(e.getValueFrom().getSecretKeyRef().getName()));
                c.getEnvFrom().stream().filter(e -> e.getSecretRef() != null).forEach(e -> referred.add(e.getSecretRef().getName()));
            });
        }
        rendered.all(Ingress.class).forEach(i -> i.getSpec().getTls().stream().filter(t -> t.getSecretName() != null)
                .forEach(t -> referred.add(t.getSecretName())));

        assertThat(env(rendered, "Deployment/acme-outpost-agent").get("OUTPOST_AGENT_KUBERNETES_RESERVED_SECRETS")
                .getValue().split(",")).contains(referred.toArray(String[]::new));
    }

    /**
     * Only the agent's pod holds the control plane token. It was also the OTLP token of the gateway and
     * observability-api, sent in clear over in-cluster HTTP: whoever took one of those pods, or read
     * that traffic, could dial the control plane as this data plane and keep the agent cut off.
     */
    @Test
    void onlyTheAgentHoldsTheControlPlaneToken() {
        for (String name : List.of("defaults-values.yaml", "everything-values.yaml", "existing-secret-values.yaml")) {
            Rendered rendered = scenario(name);
            String controlPlane = name.startsWith("existing") ? "outpost-control-plane" : "acme-outpost-control-plane";
            for (Rendered.Workload workload : rendered.workloads()) {
                List<String> refs = workload.spec().getContainers().stream().flatMap(c -> c.getEnv().stream())
                        .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                        .filter(e -> e.getValueFrom().getSecretKeyRef().getName().equals(controlPlane))
                        .map(EnvVar::getName).toList();
                if (workload.id().equals("Deployment/acme-outpost-agent")) {
                    assertThat(refs).as(name).contains("OUTPOST_AGENT_CONTROL_PLANE_TOKEN");
                } else {
                    assertThat(refs).as(name + " " + workload.id()).isEmpty();
                }
            }
        }
    }

    @Test
    void theIngestTokenIsDerivedOneWayFromTheControlPlaneTokenUnlessGiven() throws Exception {
        Secret derived = scenario("defaults-values.yaml").get(Secret.class, "acme-outpost-ingest");
        String expected = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest("outpost-ingest-token-v1:dp-token-defaults".getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        assertThat(decode(derived.getData().get("token"))).isEqualTo(expected).doesNotContain("dp-token-defaults");
        Secret given = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("ingest.token", "ingest-token-of-acme-0001"))
                .get(Secret.class, "acme-outpost-ingest");
        assertThat(decode(given.getData().get("token"))).isEqualTo("ingest-token-of-acme-0001");
    }

    /**
     * Two agents in one namespace prune each other's integrations and overwrite one routes ConfigMap.
     * A release with an agent renders one object whose name no release name changes, so Helm refuses
     * a second such release in the namespace (the object would belong to two releases); a release
     * without an agent (gateway-only, beside another's agent) renders none.
     */
    @Test
    void aReleaseWithAnAgentClaimsItsNamespace() {
        Set<String> shared = new java.util.HashSet<>(Rendered.ids(scenario("defaults-values.yaml")));
        shared.retainAll(Rendered.ids(Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("fullnameOverride", "other"))));
        String claim = "ConfigMap/" + dev.outpost.agent.targets.NamespaceClaim.NAME; // what the agent's objects are owned by
        assertThat(shared).as("objects a second release would render again").containsExactly(claim);
        assertThat(Rendered.ids(scenario("gateway-only-values.yaml"))).doesNotContain(claim);
        assertThat(env(scenario("defaults-values.yaml"), "Deployment/acme-outpost-agent")
                .get("OUTPOST_AGENT_KUBERNETES_NAMESPACE_CLAIM_REQUIRED").getValue())
                .as("the owner of what the agent writes: without it, the agent writes nothing").isEqualTo("true");
    }

    @Test
    void everyObjectLivesInTheReleaseNamespace() {
        for (String name : List.of("defaults-values.yaml", "everything-values.yaml")) {
            for (HasMetadata object : scenario(name).objects()) {
                assertThat(object.getMetadata().getNamespace()).as(Rendered.id(object)).isEqualTo(Chart.NAMESPACE);
            }
        }
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64));
    }
}
