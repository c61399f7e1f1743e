package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.ContainerPort;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every image the chart names can be built from its module's Dockerfile.jvm: a pinned base image,
 * the non-root user the chart's security context runs as, and the ports the chart's pods declare.
 */
class DockerfilesTest {

    private static final Path ROOT = Chart.DIR.getParent().getParent();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "gateway             | Deployment/acme-outpost-gateway",
            "observability-api   | StatefulSet/acme-outpost-observability",
            "pdp-agent           | Deployment/acme-outpost-agent",
            "integration-runtime | ",
            "dev-control-plane   | "})
    void theModuleHasAPinnedNonRootImage(String module, String workload) throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve(module).resolve("src/main/docker/Dockerfile.jvm"));

        List<String> from = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertThat(from).singleElement().satisfies(line -> assertThat(Images.problem(line.substring(5).trim())).isNull());
        assertThat(lines.stream().filter(l -> l.startsWith("USER ")).reduce((a, b) -> b))
                .as("the last USER").contains("USER " + Chart.render(Chart.CI.resolve("defaults-values.yaml"))
                        .workloads().get(0).spec().getSecurityContext().getRunAsUser());
        assertThat(lines).anyMatch(l -> l.contains("/deployments/quarkus-run.jar"));

        if (workload != null) {
            List<String> exposed = lines.stream().filter(l -> l.startsWith("EXPOSE "))
                    .flatMap(l -> Arrays.stream(l.substring(7).trim().split("\\s+"))).toList();
            List<String> declared = Chart.render(Chart.CI.resolve("defaults-values.yaml")).workloads().stream()
                    .filter(w -> w.id().equals(workload)).findFirst().orElseThrow()
                    .spec().getContainers().get(0).getPorts().stream()
                    .filter(p -> !p.getName().equals("hazelcast"))
                    .map(ContainerPort::getContainerPort).map(String::valueOf).toList();
            assertThat(exposed).containsAll(declared);
        }
    }
}
