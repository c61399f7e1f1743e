package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.outpost.agent.AgentConfig;
import dev.outpost.agent.targets.KubernetesNames;
import dev.outpost.gateway.config.GatewayConfig;
import dev.outpost.observability.config.ObservabilityConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.smallrye.config.ConfigMappings;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code OUTPOST_<COMPONENT>_*} variable the chart sets names a key its component reads.
 * SmallRye maps a variable to a key by its name and drops one that names no key without a word,
 * so a misspelt variable would only show in a cluster, as a setting that has no effect (it did:
 * the agent's leader-election settings).
 */
class ComponentSettingsTest {

    /** The variable prefix of each component, and the configuration it is read into. */
    static final Map<String, Pattern> KEYS = Map.of(
            "OUTPOST_GATEWAY_", variables(GatewayConfig.class, "outpost.gateway"),
            "OUTPOST_OBSERVABILITY_", variables(ObservabilityConfig.class, "outpost.observability"),
            "OUTPOST_AGENT_", variables(AgentConfig.class, "outpost.agent"));

    /** The variable names of a configuration's keys, as one pattern ({@code *}, a map key, is any name). */
    static Pattern variables(Class<?> mapping, String prefix) {
        return Pattern.compile(ConfigMappings.getProperties(ConfigMappings.ConfigClass.configClass(mapping, prefix))
                .keySet().stream()
                .map(key -> Pattern.quote(key.replaceAll("[^A-Za-z0-9*]", "_").toUpperCase(Locale.ROOT))
                        .replace("*", "\\E[A-Z0-9_]+\\Q"))
                .collect(Collectors.joining("|")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void everyComponentVariableNamesAKeyOfItsComponent(Path values) {
        List<String> checked = new java.util.ArrayList<>();
        for (var workload : Chart.render(values).workloads()) {
            for (var container : workload.spec().getContainers()) {
                for (String name : container.getEnv().stream().map(EnvVar::getName).toList()) {
                    KEYS.forEach((prefix, keys) -> {
                        if (name.startsWith(prefix)) {
                            assertThat(keys.matcher(name).matches())
                                    .as("%s in %s names a key its component reads", name, workload.id()).isTrue();
                            checked.add(name);
                        }
                    });
                }
            }
        }
        assertThat(checked).as("variables checked").isNotEmpty();
    }

    /**
     * Without persistence the data's emptyDir has a size limit, and observability-api refuses new
     * data below it: an unbounded emptyDir filled the node's disk (DiskPressure for every pod there),
     * and the kubelet evicting the pod lost every record.
     */
    @Test
    void observabilityStaysWithinItsEmptyDir() {
        var workload = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("observability.emptyDirSizeGi", "4"))
                .workloads().stream().filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst()
                .orElseThrow();
        var data = workload.spec().getVolumes().stream().filter(v -> v.getName().equals("data")).findFirst().orElseThrow();
        assertThat(data.getEmptyDir().getSizeLimit().toString()).isEqualTo("4Gi");
        assertThat(workload.spec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("OUTPOST_OBSERVABILITY_INGEST_MAX_DATA_BYTES")).findFirst().orElseThrow()
                .getValue()).isEqualTo(String.valueOf(4L << 30));

        var persistent = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("observability.persistence.enabled", "true"))
                .workloads().stream().filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst()
                .orElseThrow();
        assertThat(persistent.spec().getContainers().get(0).getEnv()).as("a claim's file system is its own limit")
                .noneMatch(e -> e.getName().equals("OUTPOST_OBSERVABILITY_INGEST_MAX_DATA_BYTES"));
    }

    /** A retention size reaches observability-api as the key it reads; with none, retention is by time only. */
    @Test
    void observabilityGetsTheRetentionSizeOnlyWhenOneIsSet() {
        String name = "OUTPOST_OBSERVABILITY_STORAGE_RETENTION_SIZE";
        assertThat(KEYS.get("OUTPOST_OBSERVABILITY_").matcher(name).matches()).as("a key observability-api reads").isTrue();
        var sized = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("observability.retentionSize", "8Gi"))
                .workloads().stream().filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst()
                .orElseThrow();
        assertThat(sized.spec().getContainers().get(0).getEnv()).filteredOn(e -> e.getName().equals(name))
                .extracting(EnvVar::getValue).containsExactly("8Gi");
        var byTime = Chart.render(Chart.CI.resolve("defaults-values.yaml")).workloads().stream()
                .filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst().orElseThrow();
        assertThat(byTime.spec().getContainers().get(0).getEnv()).noneMatch(e -> e.getName().equals(name));
    }

    /** The retention the agent writes reaches observability-api: the ConfigMap it names, at the path it reads. */
    @Test
    void observabilityReadsTheTelemetrySettingsTheAgentWrites() {
        var workload = Chart.render(Chart.CI.resolve("defaults-values.yaml")).workloads().stream()
                .filter(w -> w.id().equals("StatefulSet/acme-outpost-observability")).findFirst().orElseThrow();
        var container = workload.spec().getContainers().get(0);
        String file = container.getEnv().stream().filter(e -> e.getName().equals("OUTPOST_OBSERVABILITY_STORAGE_TELEMETRY_FILE"))
                .findFirst().orElseThrow().getValue();
        var volume = workload.spec().getVolumes().stream().filter(v -> v.getConfigMap() != null
                && KubernetesNames.TELEMETRY_CONFIG_MAP.equals(v.getConfigMap().getName())).findFirst().orElseThrow();
        assertThat(volume.getConfigMap().getOptional()).as("absent until the agent first applies a state").isTrue();
        var mount = container.getVolumeMounts().stream().filter(m -> m.getName().equals(volume.getName()))
                .findFirst().orElseThrow();
        assertThat(file).isEqualTo(mount.getMountPath() + "/" + KubernetesNames.TELEMETRY_KEY);
    }
}
