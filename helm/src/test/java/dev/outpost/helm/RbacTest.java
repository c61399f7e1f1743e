package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Least privilege: namespaced Roles only, no wildcards, exactly the permissions each component uses. */
class RbacTest {

    /** What the agent does through the API, one line per permission (see templates/agent/role.yaml). */
    static final Set<String> AGENT = Grants.of(
            "apps/deployments:get", "apps/deployments:list", "apps/deployments:watch", "apps/deployments:create",
            "apps/deployments:update", "apps/deployments:delete",
            "/services:get", "/services:list", "/services:watch", "/services:create",
            "/services:update", "/services:delete",
            "/configmaps:get", "/configmaps:list", "/configmaps:watch", "/configmaps:create",
            "/configmaps:update", "/configmaps:delete",
            "policy/poddisruptionbudgets:get", "policy/poddisruptionbudgets:list", "policy/poddisruptionbudgets:watch",
            "policy/poddisruptionbudgets:create", "policy/poddisruptionbudgets:update",
            "policy/poddisruptionbudgets:delete",
            "/pods:list", "/events:list", "/events:create", "autoscaling/horizontalpodautoscalers:list",
            "/secrets:create",
            "/secrets[outpost-agent-applied]:get", "/secrets[outpost-agent-applied]:update",
            "/secrets[outpost-integration-tokens]:get", "/secrets[outpost-integration-tokens]:update");

    /** Leader election on the Lease, granted only when more than one agent runs. */
    static final Set<String> AGENT_LEADER_ELECTION = Grants.of(
            "coordination.k8s.io/leases:create",
            "coordination.k8s.io/leases[acme-outpost-agent]:get",
            "coordination.k8s.io/leases[acme-outpost-agent]:patch");

    /** The gateway only reads the routing table the agent writes. */
    static final Set<String> GATEWAY = Grants.of(
            "/configmaps[outpost-gateway-routes]:get", "/configmaps[outpost-gateway-routes]:list",
            "/configmaps[outpost-gateway-routes]:watch");


    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void noClusterWidePermissions(Path scenario) {
        List<String> kinds = Chart.render(scenario).objects().stream().map(HasMetadata::getKind).toList();

        assertThat(kinds).doesNotContain("ClusterRole", "ClusterRoleBinding");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void noWildcards(Path scenario) {
        for (Role role : Chart.render(scenario).all(Role.class)) {
            for (PolicyRule rule : role.getRules()) {
                assertThat(rule.getApiGroups()).as(role.getMetadata().getName() + " apiGroups").doesNotContain("*");
                assertThat(rule.getResources()).as(role.getMetadata().getName() + " resources")
                        .doesNotContain("*").noneMatch(r -> r.endsWith("/*"));
                assertThat(rule.getVerbs()).as(role.getMetadata().getName() + " verbs")
                        .doesNotContain("*", "escalate", "bind", "impersonate");
                assertThat(rule.getNonResourceURLs()).isEmpty();
            }
        }
    }

    @Test
    void theAgentRoleGrantsExactlyWhatTheAgentCalls() {
        Role role = Chart.render(Chart.CI.resolve("defaults-values.yaml")).get(Role.class, "acme-outpost-agent");

        assertThat(Grants.of(role)).isEqualTo(AGENT);
    }

    @Test
    void theRulesFileIsWhatTheRoleGrants() throws Exception {
        var mapper = new com.fasterxml.jackson.databind.ObjectMapper(new com.fasterxml.jackson.dataformat.yaml.YAMLFactory());
        List<PolicyRule> rules = mapper.readValue(Chart.DIR.resolve("files/agent-rules.yaml").toFile(),
                new com.fasterxml.jackson.core.type.TypeReference<List<PolicyRule>>() { });

        assertThat(Grants.of(rules)).isEqualTo(AGENT);
    }

    @Test
    void severalAgentsAlsoGetTheirLease() {
        Role role = Chart.render(Chart.CI.resolve("everything-values.yaml")).get(Role.class, "acme-outpost-agent");

        Set<String> expected = new java.util.TreeSet<>(AGENT);
        expected.addAll(AGENT_LEADER_ELECTION);
        assertThat(Grants.of(role)).isEqualTo(expected);
    }

    @Test
    void theGatewayRoleOnlyReadsTheRoutes() {
        Role role = Chart.render(Chart.CI.resolve("defaults-values.yaml")).get(Role.class, "acme-outpost-gateway");

        assertThat(Grants.of(role)).isEqualTo(GATEWAY);
    }

    @Test
    void observabilityHasNoRole() {
        Rendered rendered = Chart.render(Chart.CI.resolve("observability-only-values.yaml"));

        assertThat(rendered.all(Role.class)).isEmpty();
        assertThat(rendered.all(RoleBinding.class)).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void eachRoleIsBoundToItsOwnServiceAccountOnly(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        for (RoleBinding binding : rendered.all(RoleBinding.class)) {
            String name = binding.getMetadata().getName();
            assertThat(binding.getRoleRef().getKind()).isEqualTo("Role");
            assertThat(binding.getRoleRef().getName()).isEqualTo(name);
            assertThat(binding.getSubjects()).singleElement().satisfies(subject -> {
                assertThat(subject.getKind()).isEqualTo("ServiceAccount");
                assertThat(subject.getName()).isEqualTo(name);
                assertThat(subject.getNamespace()).isEqualTo(Chart.NAMESPACE);
            });
            rendered.get(ServiceAccount.class, name);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void serviceAccountsDoNotMountTokensByDefault(Path scenario) {
        for (ServiceAccount account : Chart.render(scenario).all(ServiceAccount.class)) {
            assertThat(account.getAutomountServiceAccountToken()).as(account.getMetadata().getName()).isFalse();
        }
    }
}
