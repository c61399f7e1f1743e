package dev.outpost.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A bad value fails {@code helm template} with a message that names the key and what was expected. */
class ValuesValidationTest {

    static Stream<Arguments> badValues() {
        return Stream.of(
                bad("gateway.replicaCount", "two", "gateway.replicaCount: Invalid type. Expected: integer, given: string"),
                bad("gatway.enabled", "true", "Additional property gatway is not allowed"),
                bad("gateway.hazelcast.discovery", "api", "Additional property discovery is not allowed"),
                bad("observability.persistence.enabled", "yes", "observability.persistence.enabled: Invalid type. Expected: boolean"),
                bad("gateway.service.type", "Public", "gateway.service.type must be one of the following"),
                bad("image.pullPolicy", "Sometimes", "image.pullPolicy must be one of the following"),
                bad("gateway.image.tag", "latest", "gateway.image.tag: \"latest\" is refused"),
                bad("integrationRuntime.image.tag", "latest", "integrationRuntime.image.tag: \"latest\" is refused"),
                bad("tests.image.tag", "latest", "tests.image.tag: \"latest\" is refused"),
                bad("agent.image.digest", "sha256:short", "agent.image.digest: Does not match pattern"),
                bad("observability.consoleOrigins[0]", "*", "observability.consoleOrigins.0: Does not match pattern"),
                bad("observability.retention", "forever", "observability.retention: Does not match pattern"),
                // partitions are daily: observability-api refused these at start (a crash loop after a clean install)
                bad("observability.retention", "12h", "observability.retention: Does not match pattern"),
                bad("observability.retention", "0d", "observability.retention: Does not match pattern"),
                bad("observability.retention", "P1W", "observability.retention: Does not match pattern"),
                bad("agent.replicaCount", "0", "agent.replicaCount: Must be greater than or equal to 1"),
                // each member holds only what it ingested and queries are not gathered across members
                bad("observability.replicaCount", "2", "observability.replicaCount: Must be less than or equal to 1"),
                bad("gateway.resources", "big", "gateway.resources: Invalid type. Expected: object, given: string"),
                bad("networkPolicy.kubeApiServer.cidrs[0]", "kubernetes", "networkPolicy.kubeApiServer.cidrs.0: Does not match pattern"),
                // a name would need DNS at start, and the gateway refuses it
                bad("gateway.trustedProxies[0]", "ingress-nginx", "gateway.trustedProxies.0: Does not match pattern"),
                bad("imagePullSecrets[0].secret", "regcred", "Additional property secret is not allowed"),
                bad("controlPlane.token", "", "is derived from controlPlane.token, which is not given"),
                // observability-api refuses a shorter one at start
                bad("ingest.token", "short", "ingest.token must be at least 16 characters"),
                // sent in the gateway's OTLP header list, which is split at commas: its telemetry was refused
                bad("ingest.token", "ingest-token,of-acme-0001", "ingest.token: Does not match pattern"),
                bad("ingest.token", "ingest token of acme 0001", "ingest.token: Does not match pattern"),
                // the token it would be derived from is in a Secret the chart cannot read
                bad("controlPlane.existingSecret", "outpost-control-plane", "ingest.token (or ingest.existingSecret) is required"),
                bad("controlPlane.url", "", "controlPlane.url is required when agent.enabled"),
                // the agent refuses these at start (a crash loop after a clean install): it dials out over TLS only,
                // its id is a DNS label, and a Lease under 2 s rounds to 0 s (every replica leads)
                bad("controlPlane.url", "https://control.outpost.example/v1/connect", "controlPlane.url: Does not match pattern"),
                bad("controlPlane.url", "ws://control.outpost.example/v1/connect", "controlPlane.url: Does not match pattern"),
                bad("controlPlane.dataPlaneId", "EU_West", "controlPlane.dataPlaneId: Does not match pattern"),
                bad("agent.leaderElection.leaseDuration", "1s", "agent.leaderElection.leaseDuration: Does not match pattern"),
                bad("agent.leaderElection.leaseDuration", "0s", "agent.leaderElection.leaseDuration: Does not match pattern"),
                // no Lease could be created under it: with two agents none led, and nothing was ever applied
                bad("agent.leaderElection.leaseName", "Outpost_Lease", "agent.leaderElection.leaseName: Does not match pattern"),
                bad("agent.leaderElection.leaseName", "outpost-lease.", "agent.leaderElection.leaseName: Does not match pattern"),
                // without a port Vert.x refused it at start (port -1), and the NetworkPolicy could not open it
                bad("agent.controlPlaneProxy", "http://proxy.corp.example", "agent.controlPlaneProxy: Does not match pattern"),
                bad("agent.controlPlaneProxy", "proxy.corp.example:3128", "agent.controlPlaneProxy: Does not match pattern"),
                bad("controlPlane.dataPlaneId", "", "controlPlane.dataPlaneId is required when agent.enabled"),
                bad("controlPlane.publicKey", "", "controlPlane.publicKey is required when agent.enabled"),
                // refused by the API server at install before, not at lint: labels and annotations are strings
                bad("gateway.podAnnotations.scrape", "true", "gateway.podAnnotations.scrape: Invalid type. Expected: string"),
                bad("commonLabels.tier", "1", "commonLabels.tier: Invalid type. Expected: string"),
                bad("gateway.ingress.hosts[0].paths[0].path", "api", "gateway.ingress.hosts.0.paths.0.path: Does not match pattern"),
                bad("observability.ingress.hosts[0].paths[0].pathType", "Regex", "pathType must be one of the following"),
                bad("gateway.podDisruptionBudget.minAvailable", "-1", "minAvailable: Must be greater than or equal to 0"),
                // a number or a percentage, as Kubernetes takes them
                bad("gateway.podDisruptionBudget.minAvailable", "half", "gateway.podDisruptionBudget.minAvailable: Does not match pattern"),
                bad("gateway.podDisruptionBudget.maxUnavailable", "150%", "gateway.podDisruptionBudget.maxUnavailable: Does not match pattern"),
                bad("gateway.autoscaling.minReplicas", "0", "gateway.autoscaling.minReplicas: Must be greater than or equal to 1"),
                // Hazelcast could not bind beside the gateway's own ports
                bad("gateway.hazelcast.port", "9000", "gateway.hazelcast.port (9000) must be neither 8080 nor 9000"),
                bad("gateway.hazelcast.port", "8080", "gateway.hazelcast.port (8080) must be neither 8080 nor 9000"),
                bad("observability.persistence.claimRetention.whenDeleted", "Keep",
                        "whenDeleted must be one of the following"),
                // the one replica is the only one a scale-down removes: stopping observability-api for a
                // backup or a restore deleted its claim and every log and trace on it
                bad("observability.persistence.claimRetention.whenScaled", "Delete",
                        "observability.persistence.claimRetention.whenScaled must be one of the following: \"Retain\""),
                bad("observability.persistence.claimRetention.whenEvicted", "Retain",
                        "Additional property whenEvicted is not allowed"),
                bad("observability.terminationGracePeriodSeconds", "-1", "terminationGracePeriodSeconds: Must be greater than or equal to 0"),
                // the API server refuses a liveness or startup probe needing more than one success
                bad("gateway.livenessProbe.successThreshold", "2", "gateway.livenessProbe.successThreshold must be one of the following: 1"),
                bad("agent.startupProbe.successThreshold", "3", "agent.startupProbe.successThreshold must be one of the following: 1"),
                // Kubernetes takes 0 as "unset" (its own default) and refuses a negative value
                bad("observability.startupProbe.periodSeconds", "0", "observability.startupProbe.periodSeconds: Must be greater than or equal to 1"),
                bad("gateway.readinessProbe.timeoutSeconds", "0", "gateway.readinessProbe.timeoutSeconds: Must be greater than or equal to 1"),
                bad("agent.livenessProbe.failureThreshold", "0", "agent.livenessProbe.failureThreshold: Must be greater than or equal to 1"),
                bad("observability.readinessProbe.successThreshold", "0", "observability.readinessProbe.successThreshold: Must be greater than or equal to 1"),
                bad("gateway.startupProbe.initialDelaySeconds", "-1", "gateway.startupProbe.initialDelaySeconds: Must be greater than or equal to 0"),
                bad("observability.livenessProbe.periodSeconds", "2.5", "observability.livenessProbe.periodSeconds: Invalid type. Expected: integer"),
                bad("agent.readinessProbe.periodSeconds", "ten", "agent.readinessProbe.periodSeconds: Invalid type. Expected: integer"),
                // an int32 in the API
                bad("gateway.livenessProbe.initialDelaySeconds", "3000000000", "gateway.livenessProbe.initialDelaySeconds: Must be less than or equal to"),
                // the paths and port are the components' own health endpoints
                bad("gateway.livenessProbe.httpGet.path", "/", "Additional property httpGet is not allowed"),
                // Services and rolling updates go by readiness: without it a pod that does not serve yet gets traffic
                bad("gateway.readinessProbe.enabled", "false", "gateway.readinessProbe.enabled: false is refused"),
                bad("observability.readinessProbe.enabled", "false", "observability.readinessProbe.enabled: false is refused"),
                bad("agent.readinessProbe.enabled", "false", "agent.readinessProbe.enabled: false is refused"),
                // the chart's own labels: a second copy of one changed the selectors (Deployments refused) or
                // left the NetworkPolicies matching nothing
                bad("commonLabels.app\\.kubernetes\\.io/part-of", "platform",
                        "commonLabels: app.kubernetes.io/part-of is set by the chart"),
                bad("commonLabels.app\\.kubernetes\\.io/team", "platform",
                        "commonLabels: app.kubernetes.io/team is set by the chart"),
                bad("commonLabels.helm\\.sh/chart", "mine", "commonLabels: helm.sh/chart is set by the chart"),
                // Kubernetes' rule for a Secret's keys: "" broke the YAML, a space made a Secret the API server refuses
                bad("controlPlane.secretKeys.publicKey", "public key", "controlPlane.secretKeys.publicKey: Does not match pattern"),
                bad("controlPlane.secretKeys.url", "", "controlPlane.secretKeys.url: Does not match pattern"),
                bad("ingest.secretKey", "", "ingest.secretKey: Does not match pattern"),
                bad("ingest.previousSecretKey", "previous/token", "ingest.previousSecretKey: Does not match pattern"),
                // the agent read its URL as its bearer token
                bad("controlPlane.secretKeys.url", "token",
                        "controlPlane.secretKeys.url and controlPlane.secretKeys.token are both \"token\""),
                bad("controlPlane.secretKeys.publicKey", "url",
                        "controlPlane.secretKeys.url and controlPlane.secretKeys.publicKey are both \"url\""),
                // quantities as Kubernetes parses them: the API server refused these at install
                bad("observability.persistence.size", "20GB", "observability.persistence.size: Does not match pattern"),
                bad("gateway.resources.requests.memory", "768 Mi", "gateway.resources.requests.memory: Does not match pattern"),
                bad("agent.resources.limits.cpu", "two", "agent.resources.limits.cpu: Does not match pattern"),
                bad("observability.resources.limits.memory", "1.5GB", "observability.resources.limits.memory: Does not match pattern"),
                bad("integrationRuntime.resources.requests.cpu", "100 m", "integrationRuntime.resources.requests.cpu: Does not match pattern"),
                bad("observability.persistence.accessModes[0]", "ReadWriteAlways",
                        "observability.persistence.accessModes.0 must be one of the following"),
                bad("agent.controlPlaneProxy", "http://proxy.corp.example:0", "agent.controlPlaneProxy: Does not match pattern"),
                bad("agent.controlPlaneProxy", "http://proxy.corp.example:65536", "agent.controlPlaneProxy: Does not match pattern"),
                // the NetworkPolicy opened that port (the API server refuses one outside 1-65535) and nothing could
                // connect; a leading zero was read as octal (0443 opened port 291 to a connection made to 443)
                bad("controlPlane.url", "wss://cp.example.com:0/agent", "controlPlane.url: Does not match pattern"),
                bad("controlPlane.url", "wss://cp.example.com:70000/agent", "controlPlane.url: Does not match pattern"),
                bad("controlPlane.url", "wss://cp.example.com:65536", "controlPlane.url: Does not match pattern"),
                bad("controlPlane.url", "wss://cp.example.com:0443/agent", "controlPlane.url: Does not match pattern"),
                bad("observability.queryAuth.jwksUrl", "https://kc.idp.svc:0/certs",
                        "observability.queryAuth.jwksUrl: Does not match pattern"),
                bad("observability.queryAuth.jwksUrl", "https://kc.idp.svc:70000/certs",
                        "observability.queryAuth.jwksUrl: Does not match pattern"),
                // every object's name starts with it: a DNS label
                bad("fullnameOverride", "Outpost_Prod", "fullnameOverride: Does not match pattern"),
                bad("nameOverride", "outpost-", "nameOverride: Does not match pattern"),
                bad("gateway.service.nodePort", "0", "gateway.service.nodePort: Must be greater than or equal to 1"));
    }

    private static Arguments bad(String key, String value, String message) {
        return Arguments.of(key, value, message);
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("badValues")
    void aBadValueIsRefusedWithAClearMessage(String key, String value, String message) {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(key, value)))
                .hasMessageContaining(message);
    }

    /** Values next to the refused ones, which must still render. */
    static Stream<Arguments> goodValues() {
        return Stream.of(
                // a bearer token's characters (RFC 6750), base64's among them
                Arguments.of("ingest.token", "aW5nZXN0LXRva2VuLW9mLWFjbWU+/w=="),
                Arguments.of("ingest.token", "ingest.token_of~acme-0001"),
                // a DNS subdomain
                Arguments.of("agent.leaderElection.leaseName", "outpost.agent-lease"),
                Arguments.of("gateway.hazelcast.port", "5702"),
                Arguments.of("observability.persistence.claimRetention.whenScaled", "Retain"),
                Arguments.of("observability.persistence.claimRetention.whenDeleted", "Delete"),
                Arguments.of("observability.startupProbe.failureThreshold", "300"),
                Arguments.of("gateway.readinessProbe.successThreshold", "2"),
                Arguments.of("agent.livenessProbe.initialDelaySeconds", "0"),
                Arguments.of("commonLabels.team", "platform"),
                Arguments.of("commonLabels.example\\.com/cost-center", "cc-4711"),
                Arguments.of("controlPlane.secretKeys.publicKey", "cp_public.key-2"),
                Arguments.of("observability.persistence.size", "1.5e10"),
                Arguments.of("gateway.resources.requests.cpu", "0.5"),
                Arguments.of("agent.controlPlaneProxy", "http://proxy.corp.example:65535"),
                Arguments.of("controlPlane.url", "wss://cp.example.com:65535/agent"),
                Arguments.of("controlPlane.url", "wss://[fd00::10]:1/agent?region=eu"),
                Arguments.of("controlPlane.url", "wss://cp.example.com"),
                Arguments.of("observability.queryAuth.jwksUrl", "http://keycloak.idp.svc:8080/realms/acme/protocol/openid-connect/certs"),
                Arguments.of("observability.queryAuth.jwksUrl", "https://idp.acme.example/realms/acme/protocol/openid-connect/certs"),
                Arguments.of("observability.persistence.accessModes[0]", "ReadWriteOncePod"),
                Arguments.of("fullnameOverride", "outpost-prod"),
                Arguments.of("gateway.maxConnections", "null"));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("goodValues")
    void aGoodValueRenders(String key, String value) {
        org.assertj.core.api.Assertions.assertThat(Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(key, value)))
                .contains("kind: Deployment");
    }

    @org.junit.jupiter.api.Test
    void anAutoscalerWhoseFloorIsAboveItsCeilingIsRefused() {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.autoscaling.enabled", "true", "gateway.autoscaling.minReplicas", "5",
                "gateway.autoscaling.maxReplicas", "3")))
                .hasMessageContaining("gateway.autoscaling.minReplicas (5) must not be above gateway.autoscaling.maxReplicas (3)");
    }

    /** An HTTPRoute attached to no Gateway is accepted by the API server and routes nothing. */
    @org.junit.jupiter.api.Test
    void anHttpRouteWithoutAGatewayIsRefused() {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.httpRoute.enabled", "true")))
                .hasMessageContaining("gateway.httpRoute.parentRefs is required when gateway.httpRoute.enabled");
    }

    /** An existing claim holds the data only with persistence on: without it the data went on an emptyDir without a word. */
    @org.junit.jupiter.api.Test
    void anExistingClaimIsRefusedWhereItWouldNotHoldTheData() {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.persistence.existingClaim", "obs-data")))
                .hasMessageContaining("observability.persistence.existingClaim (obs-data) needs observability.persistence.enabled");
        org.assertj.core.api.Assertions.assertThat(Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.persistence.enabled", "true", "observability.persistence.existingClaim", "obs-data")))
                .contains("claimName: \"obs-data\"");
    }
    /** Lists --set cannot give (helm-java sets strings): merged over the defaults in a values file. */
    private static String templateWith(Map<String, Object> values) throws java.io.IOException {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("values-", ".yaml");
        java.nio.file.Files.writeString(file, Yaml.write(Yaml.deepMerge(Yaml.read(Chart.CI.resolve("defaults-values.yaml")), values)));
        return Chart.templateYaml(file, Map.of());
    }

    /** Two volumeMounts at one mountPath, a claim with no access mode: the API server refused them at install. */
    @org.junit.jupiter.api.Test
    void aRepeatedSecretMountAndAClaimWithoutAccessModeAreRefused() throws java.io.IOException {
        assertThatThrownBy(() -> templateWith(Map.of("gateway", Map.of("secretMounts", java.util.List.of("api-keys", "api-keys")))))
                .hasMessageContaining("gateway.secretMounts: array items[0,1] must be unique");
        assertThatThrownBy(() -> templateWith(Map.of("observability", Map.of("persistence",
                Map.of("enabled", true, "accessModes", java.util.List.of())))))
                .hasMessageContaining("observability.persistence.accessModes: Array must have at least 1 items");
        org.assertj.core.api.Assertions.assertThat(templateWith(Map.of("gateway", Map.of("secretMounts",
                java.util.List.of("api-keys", "partner-keys"))))).contains("/etc/outpost/secrets/partner-keys");
    }

    /** Two entries of one name: Argo CD's server-side apply refuses the Deployment, and kubectl keeps the last. */
    @org.junit.jupiter.api.Test
    void anExtraVariableTheChartSetsIsRefusedNamingTheValueThatSetsIt() {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.extraEnv[0].name", "JAVA_OPTS_APPEND", "gateway.extraEnv[0].value", "-Xmx1g")))
                .hasMessageContaining("gateway.extraEnv: JAVA_OPTS_APPEND is set by the chart: set gateway.javaOpts instead");
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.extraEnv[0].name", "QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS", "gateway.extraEnv[0].value", "100")))
                .hasMessageContaining("gateway.extraEnv: QUARKUS_HTTP_LIMITS_MAX_CONNECTIONS is set by the chart: set gateway.maxConnections instead");
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "agent.extraEnv[0].name", "OUTPOST_AGENT_DATA_PLANE", "agent.extraEnv[0].value", "other")))
                .hasMessageContaining("agent.extraEnv: OUTPOST_AGENT_DATA_PLANE is set by the chart");
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.extraEnv[0].name", "TZ", "observability.extraEnv[0].value", "UTC",
                "observability.extraEnv[1].name", "TZ", "observability.extraEnv[1].value", "CET")))
                .hasMessageContaining("observability.extraEnv: TZ is given twice");
        org.assertj.core.api.Assertions.assertThat(Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.extraEnv[0].name", "TZ", "gateway.extraEnv[0].value", "UTC")))
                .contains("name: TZ");
    }

    /** The default node port range: outside it the API server refuses the Service, unless the cluster widened it. */
    @org.junit.jupiter.api.Test
    void aNodePortOutsideTheDefaultRangeIsWarnedOf() {
        String output = Chart.installOutput(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.service.type", "NodePort", "gateway.service.nodePort", "8080"));
        org.assertj.core.api.Assertions.assertThat(output)
                .contains("gateway.service.nodePort (8080) is outside 30000-32767");
        org.assertj.core.api.Assertions.assertThat(Chart.installOutput(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.service.type", "NodePort", "gateway.service.nodePort", "30080")))
                .doesNotContain("is outside 30000-32767");
    }
}
