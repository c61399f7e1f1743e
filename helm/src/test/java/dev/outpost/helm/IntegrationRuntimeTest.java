package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The settings the agent gives the int-&lt;name&gt; Deployments it creates (ConfigMap runtime.json):
 * the same restricted security as the chart's own pods, and the labels the NetworkPolicies select.
 */
class IntegrationRuntimeTest {

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return (Map<String, Object>) parent.get(key);
    }

    @Test
    void integrationPodsAreRestricted() {
        Map<String, Object> runtime = Chart.render(Chart.CI.resolve("defaults-values.yaml")).runtimeTemplate().orElseThrow();

        assertThat(map(runtime, "podSecurityContext")).containsEntry("runAsNonRoot", true)
                .containsEntry("seccompProfile", Map.of("type", "RuntimeDefault"));
        assertThat(map(runtime, "containerSecurityContext")).containsEntry("runAsNonRoot", true)
                .containsEntry("readOnlyRootFilesystem", true)
                .containsEntry("allowPrivilegeEscalation", false)
                .containsEntry("capabilities", Map.of("drop", List.of("ALL")));
        assertThat(map(runtime, "resources")).containsKeys("requests", "limits");
        assertThat(runtime).containsEntry("otlpEndpoint", "http://acme-outpost-otlp.integrations.svc:4318");
    }

    @Test
    void theLabelsTheAgentAppliesAreTheOnesThePoliciesSelect() {
        Rendered rendered = Chart.render(Chart.CI.resolve("everything-values.yaml"));
        @SuppressWarnings("unchecked")
        Map<String, String> podLabels = (Map<String, String>) rendered.runtimeTemplate().orElseThrow().get("podLabels");

        NetworkPolicy integrations = rendered.get(NetworkPolicy.class, "acme-outpost-integrations");
        assertThat(podLabels).containsAllEntriesOf(integrations.getSpec().getPodSelector().getMatchLabels())
                .containsEntry("app.kubernetes.io/managed-by", "outpost-agent")
                .containsEntry("cost-center", "integrations");
    }

    @Test
    void extraLabelsCannotDetachIntegrationsFromTheirPolicies() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"),
                Map.of("integrationRuntime.podLabels.app\\.kubernetes\\.io/component", "gateway"));
        @SuppressWarnings("unchecked")
        Map<String, String> podLabels = (Map<String, String>) rendered.runtimeTemplate().orElseThrow().get("podLabels");

        assertThat(podLabels).containsEntry("app.kubernetes.io/component", "integration");
    }

    @Test
    void overridesApplyToIntegrationsOnly() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"),
                Map.of("integrationRuntime.podSecurityContext.runAsUser", "1001"));

        assertThat(map(rendered.runtimeTemplate().orElseThrow(), "podSecurityContext"))
                .containsEntry("runAsUser", 1001).containsEntry("runAsNonRoot", true);
        assertThat(rendered.workloads()).allSatisfy(w -> assertThat(w.spec().getSecurityContext().getRunAsUser()).isEqualTo(185L));
    }

    /**
     * OpenShift's restricted SCC assigns each namespace its own UID range and refuses pods naming
     * another (185): set to null, the UIDs are left out everywhere, integrations included, and the
     * platform picks them.
     */
    @Test
    void nullUidsAreLeftOutForOpenShiftToAssign() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "podSecurityContext.runAsUser", "null", "podSecurityContext.runAsGroup", "null",
                "podSecurityContext.fsGroup", "null"));

        assertThat(rendered.workloads()).isNotEmpty().allSatisfy(w -> {
            assertThat(w.spec().getSecurityContext().getRunAsUser()).as(w.id()).isNull();
            assertThat(w.spec().getSecurityContext().getFsGroup()).as(w.id()).isNull();
            assertThat(w.spec().getSecurityContext().getRunAsNonRoot()).as(w.id()).isTrue();
        });
        assertThat(map(rendered.runtimeTemplate().orElseThrow(), "podSecurityContext"))
                .doesNotContainKeys("runAsUser", "runAsGroup", "fsGroup").containsEntry("runAsNonRoot", true);
    }
}
