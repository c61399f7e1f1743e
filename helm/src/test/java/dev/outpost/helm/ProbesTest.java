package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's, observability-api's and the agent's probes are timed by their values
 * ({@code <component>.startupProbe}, {@code .livenessProbe}, {@code .readinessProbe}), on the paths and port
 * of each component's own health endpoints. They were fixed in the chart: a platform team on slow nodes
 * (a large Lucene store to open, a cold JVM on a throttled CPU) or with stricter SLOs had to fork it.
 */
class ProbesTest {

    private static final Path DEFAULTS = Chart.CI.resolve("defaults-values.yaml");

    /** Each component's values key, and the workload its container runs in. */
    private static final Map<String, String> WORKLOADS = Map.of(
            "gateway", "Deployment/acme-outpost-gateway",
            "observability", "StatefulSet/acme-outpost-observability",
            "agent", "Deployment/acme-outpost-agent");

    /** What the chart rendered before the probes could be timed, for every component: the defaults still render it. */
    private static final Map<String, Probe> BEFORE = Map.of(
            "startupProbe", onPath("/q/health/started").withPeriodSeconds(2).withFailureThreshold(60).build(),
            "livenessProbe", onPath("/q/health/live").withPeriodSeconds(10).withTimeoutSeconds(3).withFailureThreshold(3).build(),
            "readinessProbe", onPath("/q/health/ready").withPeriodSeconds(5).withTimeoutSeconds(3).withFailureThreshold(3).build());

    /** The timing fields, each with how it is set on a probe. */
    private static final Map<String, BiFunction<ProbeBuilder, Integer, ProbeBuilder>> FIELDS = fields();

    private static Map<String, BiFunction<ProbeBuilder, Integer, ProbeBuilder>> fields() {
        Map<String, BiFunction<ProbeBuilder, Integer, ProbeBuilder>> fields = new LinkedHashMap<>();
        fields.put("initialDelaySeconds", ProbeBuilder::withInitialDelaySeconds);
        fields.put("periodSeconds", ProbeBuilder::withPeriodSeconds);
        fields.put("timeoutSeconds", ProbeBuilder::withTimeoutSeconds);
        fields.put("failureThreshold", ProbeBuilder::withFailureThreshold);
        fields.put("successThreshold", ProbeBuilder::withSuccessThreshold);
        return fields;
    }

    private static ProbeBuilder onPath(String path) {
        return new ProbeBuilder().withNewHttpGet().withPath(path).withPort(new IntOrString("management")).endHttpGet();
    }

    @Test
    void theDefaultsRenderTheProbesAsBefore() {
        Rendered rendered = Chart.render(DEFAULTS);
        WORKLOADS.values().forEach(workload -> assertThat(probes(rendered, workload)).as(workload).isEqualTo(BEFORE));
    }

    /** Every timing field of every probe of every component (successThreshold is 1 for startup and liveness). */
    static Stream<Arguments> changes() {
        List<Arguments> changes = new ArrayList<>();
        for (String component : WORKLOADS.keySet().stream().sorted().toList()) {
            for (String probe : BEFORE.keySet().stream().sorted().toList()) {
                for (String field : FIELDS.keySet()) {
                    if (!field.equals("successThreshold") || probe.equals("readinessProbe")) {
                        changes.add(Arguments.of(component, probe, field));
                    }
                }
            }
        }
        return changes.stream();
    }

    @ParameterizedTest(name = "{0}.{1}.{2}")
    @MethodSource("changes")
    void aChangedValueReachesThatProbeOnly(String component, String probe, String field) {
        int value = 7;
        Rendered rendered = Chart.render(DEFAULTS, Map.of(component + "." + probe + "." + field, String.valueOf(value)));

        for (var workload : WORKLOADS.entrySet()) {
            Map<String, Probe> expected = new LinkedHashMap<>(BEFORE);
            if (workload.getKey().equals(component)) {
                expected.put(probe, FIELDS.get(field).apply(new ProbeBuilder(BEFORE.get(probe)), value).build());
            }
            assertThat(probes(rendered, workload.getValue())).as(workload.getValue()).isEqualTo(expected);
        }
    }

    /** Kubernetes' own defaults (no delay, 1 s timeout, one success) set explicitly take effect as they would left out. */
    @Test
    void kubernetesDefaultsSetExplicitlyKeepTheProbeAsKubernetesRunsIt() {
        Rendered rendered = Chart.render(DEFAULTS, Map.of("gateway.livenessProbe.timeoutSeconds", "1",
                "gateway.readinessProbe.initialDelaySeconds", "0", "gateway.readinessProbe.successThreshold", "1"));
        Probe liveness = probes(rendered, WORKLOADS.get("gateway")).get("livenessProbe");
        assertThat(liveness.getTimeoutSeconds()).as("left to Kubernetes, whose default is 1 s").isNull();
        assertThat(liveness.getPeriodSeconds()).isEqualTo(10);
        assertThat(probes(rendered, WORKLOADS.get("gateway")).get("readinessProbe")).isEqualTo(BEFORE.get("readinessProbe"));
    }

    /** Startup and liveness may be turned off (a liveness probe off while debugging a hung JVM); readiness may not. */
    static Stream<Arguments> disabled() {
        return WORKLOADS.keySet().stream().sorted()
                .flatMap(component -> Stream.of("startupProbe", "livenessProbe").map(probe -> Arguments.of(component, probe)));
    }

    @ParameterizedTest(name = "{0}.{1}")
    @MethodSource("disabled")
    void aProbeTurnedOffIsGoneFromThatContainerOnly(String component, String probe) {
        Rendered rendered = Chart.render(DEFAULTS, Map.of(component + "." + probe + ".enabled", "false"));

        for (var workload : WORKLOADS.entrySet()) {
            Map<String, Probe> expected = new LinkedHashMap<>(BEFORE);
            if (workload.getKey().equals(component)) {
                expected.remove(probe);
            }
            assertThat(probes(rendered, workload.getValue())).as(workload.getValue()).isEqualTo(expected);
        }
    }

    /** The scenario with every option on times observability-api's start for a large store. */
    @Test
    void theEverythingScenarioGivesObservabilityApiLongerToStart() {
        Rendered rendered = Chart.render(Chart.CI.resolve("everything-values.yaml"));
        assertThat(probes(rendered, WORKLOADS.get("observability")).get("startupProbe").getFailureThreshold()).isEqualTo(150);
        assertThat(probes(rendered, WORKLOADS.get("gateway")).get("startupProbe")).isEqualTo(BEFORE.get("startupProbe"));
    }

    @Test
    void everyProbeValueIsDocumented() throws IOException {
        String readme = Files.readString(Chart.DIR.resolve("README.md"));
        String values = Files.readString(Chart.DIR.resolve("values.yaml"));
        List<String> keys = new ArrayList<>();
        for (String component : WORKLOADS.keySet()) {
            for (String probe : BEFORE.keySet()) {
                keys.add(component + "." + probe + ".enabled");
                FIELDS.keySet().forEach(field -> keys.add(component + "." + probe + "." + field));
            }
        }
        assertThat(keys).allSatisfy(key -> assertThat(readme).contains("| `" + key + "` |"));
        assertThat(values).contains("startupProbe:", "livenessProbe:", "readinessProbe:");
    }

    /** The probes of a workload's container that are set, by kind. */
    private static Map<String, Probe> probes(Rendered rendered, String workload) {
        Container container = rendered.workloads().stream().filter(w -> w.id().equals(workload)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + workload + " in " + rendered.ids()))
                .spec().getContainers().get(0);
        Map<String, Probe> probes = new LinkedHashMap<>();
        if (container.getStartupProbe() != null) {
            probes.put("startupProbe", container.getStartupProbe());
        }
        if (container.getLivenessProbe() != null) {
            probes.put("livenessProbe", container.getLivenessProbe());
        }
        if (container.getReadinessProbe() != null) {
            probes.put("readinessProbe", container.getReadinessProbe());
        }
        return probes;
    }
}
