package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The chart as a dependency of another (an umbrella chart, Argo CD's and Flux's usual wrapper):
 * Helm then gives it {@code global} and, with a condition, {@code enabled}. Before, the schema refused
 * both, so it could not be installed that way at all.
 */
class UmbrellaChartTest {

    @Test
    void itRendersAsASubchartWithGlobalValuesAndACondition() throws IOException {
        Path umbrella = Files.createTempDirectory("umbrella-");
        Files.writeString(umbrella.resolve("Chart.yaml"), """
                apiVersion: v2
                name: platform
                version: 1.0.0
                dependencies:
                  - name: outpost
                    version: 0.1.0
                    condition: outpost.enabled
                """);
        Path charts = Files.createDirectories(umbrella.resolve("charts"));
        copy(Chart.renderable(), charts.resolve("outpost"));
        Map<String, Object> values = Map.of("global", Map.of("imageRegistry", "registry.corp.example"),
                "outpost", Yaml.deepMerge(Yaml.read(Chart.CI.resolve("defaults-values.yaml")), Map.of("enabled", true)));
        Path valuesFile = umbrella.resolve("umbrella-values.yaml");
        Files.writeString(valuesFile, Yaml.write(values));

        String manifest = new Helm(umbrella).template().withName(Chart.RELEASE).withNamespace(Chart.NAMESPACE)
                .withValuesFile(valuesFile).call();

        assertThat(Rendered.parse(manifest).all(Deployment.class)).extracting(d -> d.getMetadata().getName())
                .contains(Chart.RELEASE + "-outpost-gateway", Chart.RELEASE + "-outpost-agent");
    }

    private static void copy(Path from, Path to) throws IOException {
        try (var paths = Files.walk(from)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
