package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A rotation of the ingest token without refusing the senders that still hold the old one:
 * observability-api takes {@code ingest.previousToken} besides the new token, and nothing else sees
 * it, so setting or removing it rolls neither the gateways, nor the agent, nor (through the agent)
 * the integrations.
 */
class PreviousIngestTokenTest {

    private static final Path DEFAULTS = Chart.CI.resolve("defaults-values.yaml");
    private static final String NEW = "ingest-token-of-acme-0002";
    private static final String OLD = "ingest-token-of-acme-0001";
    private static final String VARIABLE = "OUTPOST_OBSERVABILITY_INGEST_PREVIOUS_DATA_PLANE_TOKEN";
    private static final String OBSERVABILITY = "StatefulSet/acme-outpost-observability";

    @Test
    void thePreviousTokenReachesObservabilityApiAloneFromTheIngestSecret() {
        Rendered rendered = Chart.render(DEFAULTS, Map.of("ingest.token", NEW, "ingest.previousToken", OLD));
        Secret secret = rendered.get(Secret.class, "acme-outpost-ingest");
        assertThat(decode(secret.getData().get("token"))).isEqualTo(NEW);
        assertThat(decode(secret.getData().get("previous-token"))).isEqualTo(OLD);

        SecretKeySelector ref = previousTokenRef(rendered);
        assertThat(ref.getName()).isEqualTo("acme-outpost-ingest");
        assertThat(ref.getKey()).isEqualTo("previous-token");
        assertThat(ref.getOptional()).as("a Secret without the key keeps working").isTrue();
        for (var workload : rendered.workloads()) {
            if (!workload.id().equals(OBSERVABILITY)) {
                assertThat(workload.spec().getContainers().stream().flatMap(c -> c.getEnv().stream())
                        .filter(e -> e.getValueFrom() != null && e.getValueFrom().getSecretKeyRef() != null)
                        .map(e -> e.getValueFrom().getSecretKeyRef().getKey()))
                        .as(workload.id()).doesNotContain("previous-token");
            }
        }
    }

    @Test
    void withoutAPreviousTokenTheSecretHoldsTheTokenAlone() {
        Rendered rendered = Chart.render(DEFAULTS, Map.of("ingest.token", NEW));
        assertThat(rendered.get(Secret.class, "acme-outpost-ingest").getData()).containsOnlyKeys("token");
        assertThat(previousTokenRef(rendered).getOptional()).isTrue();
    }

    /**
     * The last step of a rotation (and its first, were the token unchanged) only sets or removes the
     * previous token: observability-api restarts to read it, the gateways and the agent do not, and the
     * agent's runtime template, from which it writes the integrations' Deployments, stays as it was.
     */
    @Test
    void settingOrRemovingThePreviousTokenRollsNeitherTheGatewayNorTheAgentNorTheIntegrations() {
        Rendered without = Chart.render(DEFAULTS, Map.of("ingest.token", NEW));
        Rendered with = Chart.render(DEFAULTS, Map.of("ingest.token", NEW, "ingest.previousToken", OLD));
        for (String gatewayOrAgent : List.of("acme-outpost-gateway", "acme-outpost-agent")) {
            assertThat(with.get(Deployment.class, gatewayOrAgent).getSpec().getTemplate())
                    .as(gatewayOrAgent).isEqualTo(without.get(Deployment.class, gatewayOrAgent).getSpec().getTemplate());
        }
        assertThat(with.get(ConfigMap.class, "acme-outpost-agent").getData())
                .isEqualTo(without.get(ConfigMap.class, "acme-outpost-agent").getData());
        assertThat(annotations(with, "acme-outpost-observability").get("checksum/ingest-secret"))
                .as("observability-api reads the previous token at start")
                .isNotEqualTo(annotations(without, "acme-outpost-observability").get("checksum/ingest-secret"));
        // a new token still rolls them all, as before
        Rendered rotated = Chart.render(DEFAULTS, Map.of("ingest.token", OLD));
        assertThat(annotations(rotated, "acme-outpost-gateway"))
                .isNotEqualTo(with.get(Deployment.class, "acme-outpost-gateway").getSpec().getTemplate().getMetadata()
                        .getAnnotations());
    }

    @Test
    void withAnExistingSecretThePreviousTokenIsAnOptionalKeyOfIt() {
        SecretKeySelector ref = previousTokenRef(Chart.render(Chart.CI.resolve("existing-secret-values.yaml")));
        assertThat(ref.getName()).isEqualTo("outpost-ingest");
        assertThat(ref.getKey()).isEqualTo("previous-token");
        assertThat(ref.getOptional()).as("Secrets made before it, without the key, keep working").isTrue();
        SecretKeySelector renamed = previousTokenRef(Chart.render(Chart.CI.resolve("existing-secret-values.yaml"),
                Map.of("ingest.previousSecretKey", "retiring-token")));
        assertThat(renamed.getKey()).isEqualTo("retiring-token");
    }

    @Test
    void aPreviousTokenThatCouldNotWorkIsRefusedNamingTheKey() {
        record Case(Map<String, String> values, String message) {}
        List<Case> cases = List.of(
                // observability-api would refuse to start
                new Case(Map.of("ingest.previousToken", "short"), "ingest.previousToken must be at least 16 characters"),
                new Case(Map.of("ingest.previousToken", "ingest-token,of-acme-0001"), "ingest.previousToken: Does not match pattern"),
                // nothing rotates: the old token is still the one every sender gets
                new Case(Map.of("ingest.token", OLD, "ingest.previousToken", OLD),
                        "ingest.previousToken is ingest.token: give the new token as ingest.token"),
                // observability-api would read the current token twice
                new Case(Map.of("ingest.previousSecretKey", "token"), "ingest.previousSecretKey must differ from ingest.secretKey (token)"),
                // the chart creates no Secret to put it in
                new Case(Map.of("ingest.existingSecret", "outpost-ingest", "ingest.previousToken", OLD),
                        "ingest.previousToken is not used with ingest.existingSecret: put the previous token in Secret"
                                + " outpost-ingest under key previous-token"));
        for (Case c : cases) {
            Map<String, String> values = new HashMap<>(c.values());
            assertThatThrownBy(() -> Chart.templateYaml(DEFAULTS, values)).as(c.toString()).hasMessageContaining(c.message());
        }
    }

    private static SecretKeySelector previousTokenRef(Rendered rendered) {
        EnvVar variable = rendered.workloads().stream().filter(w -> w.id().equals(OBSERVABILITY)).findFirst().orElseThrow()
                .spec().getContainers().get(0).getEnv().stream().filter(e -> e.getName().equals(VARIABLE)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + VARIABLE + " in " + OBSERVABILITY));
        return variable.getValueFrom().getSecretKeyRef();
    }

    private static Map<String, String> annotations(Rendered rendered, String name) {
        var deployment = rendered.find(Deployment.class, name);
        return deployment.isPresent() ? deployment.get().getSpec().getTemplate().getMetadata().getAnnotations()
                : rendered.get(StatefulSet.class, name).getSpec().getTemplate().getMetadata().getAnnotations();
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }
}
