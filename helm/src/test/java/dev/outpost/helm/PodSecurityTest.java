package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.Capabilities;
import io.fabric8.kubernetes.api.model.HostPathVolumeSource;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** Every pod of every install scenario follows every {@link PodRules} rule, and each rule can catch a breach. */
class PodSecurityTest {

    static Stream<Arguments> scenarioAndRule() {
        List<Arguments> cases = new ArrayList<>();
        for (Path scenario : Chart.scenarios()) {
            for (PodRules rule : PodRules.values()) {
                cases.add(Arguments.of(scenario.getFileName().toString(), rule));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("scenarioAndRule")
    void everyPodFollowsTheRule(String scenario, PodRules rule) {
        Rendered rendered = Chart.render(Chart.CI.resolve(scenario));
        assertThat(rendered.workloads()).as("pods rendered").isNotEmpty();

        List<String> violations = rendered.workloads().stream().flatMap(w -> rule.violations(w).stream()).toList();

        assertThat(violations).as(rule + " in " + scenario).isEmpty();
    }

    /** Breaches made to a compliant pod, and the rule that must report each one. */
    static Stream<Arguments> breaches() {
        return Stream.of(
                breach("runs as root", PodRules.RUN_AS_NON_ROOT, s -> {
                    s.getSecurityContext().setRunAsNonRoot(false);
                    s.getContainers().get(0).getSecurityContext().setRunAsNonRoot(null);
                }),
                breach("uid 0", PodRules.RUN_AS_NON_ROOT, s -> s.getContainers().get(0).getSecurityContext().setRunAsUser(0L)),
                breach("writable root", PodRules.READ_ONLY_ROOT_FILESYSTEM,
                        s -> s.getContainers().get(0).getSecurityContext().setReadOnlyRootFilesystem(false)),
                breach("no /tmp volume", PodRules.READ_ONLY_ROOT_FILESYSTEM,
                        s -> s.getContainers().get(0).getVolumeMounts().removeIf(m -> m.getMountPath().equals("/tmp"))),
                breach("keeps capabilities", PodRules.CAPABILITIES_DROPPED,
                        s -> s.getContainers().get(0).getSecurityContext().setCapabilities(new Capabilities(List.of(), List.of("NET_RAW")))),
                breach("adds a capability", PodRules.CAPABILITIES_DROPPED,
                        s -> s.getContainers().get(0).getSecurityContext().setCapabilities(new Capabilities(List.of("NET_ADMIN"), List.of("ALL")))),
                breach("unconfined seccomp", PodRules.SECCOMP_RUNTIME_DEFAULT,
                        s -> s.getContainers().get(0).getSecurityContext().setSeccompProfile(new SeccompProfile(null, "Unconfined"))),
                breach("no seccomp", PodRules.SECCOMP_RUNTIME_DEFAULT, s -> {
                    s.getSecurityContext().setSeccompProfile(null);
                    s.getContainers().get(0).getSecurityContext().setSeccompProfile(null);
                }),
                breach("privilege escalation", PodRules.NO_PRIVILEGE_ESCALATION,
                        s -> s.getContainers().get(0).getSecurityContext().setAllowPrivilegeEscalation(true)),
                breach("privileged", PodRules.NO_PRIVILEGE_ESCALATION,
                        s -> s.getContainers().get(0).getSecurityContext().setPrivileged(true)),
                breach("host network", PodRules.NO_HOST_ACCESS, s -> s.setHostNetwork(true)),
                breach("hostPath", PodRules.NO_HOST_ACCESS, s -> s.getVolumes().add(new VolumeBuilder()
                        .withName("host").withHostPath(new HostPathVolumeSource("/", null)).build())),
                breach("token where the API is not used", PodRules.SERVICE_ACCOUNT_TOKEN_ONLY_WHERE_USED,
                        s -> s.setAutomountServiceAccountToken(null)),
                breach("no liveness probe", PodRules.PROBES, s -> s.getContainers().get(0).setLivenessProbe(null)),
                breach("no readiness probe", PodRules.PROBES, s -> s.getContainers().get(0).setReadinessProbe(null)),
                breach("latest tag", PodRules.IMAGE_PINNED, s -> s.getContainers().get(0).setImage("ghcr.io/outpost/x:latest")),
                breach("no tag", PodRules.IMAGE_PINNED, s -> s.getContainers().get(0).setImage("ghcr.io/outpost/x")),
                breach("no memory limit", PodRules.MEMORY_BOUNDED, s -> s.getContainers().get(0).getResources().setLimits(Map.of())));
    }

    private static Arguments breach(String name, PodRules rule, Consumer<PodSpec> change) {
        return Arguments.of(name, rule, change);
    }

    @ParameterizedTest(name = "{0} is reported by {1}")
    @MethodSource("breaches")
    void aBreachIsReported(String name, PodRules rule, Consumer<PodSpec> change) {
        Rendered.Workload observability = Chart.render(Chart.CI.resolve("defaults-values.yaml")).workloads().stream()
                .filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst().orElseThrow();
        assertThat(rule.violations(observability)).as("before the breach").isEmpty();

        PodSpec broken = Serialization.clone(observability.spec());
        change.accept(broken);

        assertThat(rule.violations(new Rendered.Workload(observability.id(), observability.labels(), broken, false)))
                .as(name).isNotEmpty();
    }

    /** Weakening the shared security contexts through values is caught too (values reach every pod). */
    static Stream<Arguments> weakenedValues() {
        return Stream.of(
                Arguments.of(Map.of("containerSecurityContext.readOnlyRootFilesystem", "false"), PodRules.READ_ONLY_ROOT_FILESYSTEM),
                Arguments.of(Map.of("containerSecurityContext.allowPrivilegeEscalation", "true"), PodRules.NO_PRIVILEGE_ESCALATION),
                Arguments.of(Map.of("podSecurityContext.runAsUser", "0"), PodRules.RUN_AS_NON_ROOT),
                Arguments.of(Map.of("containerSecurityContext.capabilities.drop[0]", "NET_RAW"), PodRules.CAPABILITIES_DROPPED),
                Arguments.of(Map.of("containerSecurityContext.seccompProfile.type", "Unconfined"), PodRules.SECCOMP_RUNTIME_DEFAULT));
    }

    @ParameterizedTest(name = "{0} is reported by {1}")
    @MethodSource("weakenedValues")
    void weakenedValuesAreReported(Map<String, String> sets, PodRules rule) {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), sets);

        List<String> violations = rendered.workloads().stream().flatMap(w -> rule.violations(w).stream()).toList();

        assertThat(violations).as("every pod is affected").hasSizeGreaterThanOrEqualTo(rendered.workloads().size());
    }
}
