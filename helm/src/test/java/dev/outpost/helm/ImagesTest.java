package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.LocalObjectReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Images by tag (the chart's appVersion by default) or digest; pull secrets on every pod. */
class ImagesTest {

    @Test
    void theDefaultTagIsTheAppVersion() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"));

        assertThat(rendered.workloads().stream().filter(w -> !w.helmTest())
                .map(w -> w.spec().getContainers().get(0).getImage()))
                .containsExactlyInAnyOrder("ghcr.io/outpost/gateway:0.1.0", "ghcr.io/outpost/observability-api:0.1.0",
                        "ghcr.io/outpost/pdp-agent:0.1.0");
        assertThat(rendered.runtimeTemplate().orElseThrow()).containsEntry("image", "ghcr.io/outpost/integration-runtime:0.1.0");
    }

    @Test
    void aDigestPinsTheImage() {
        Rendered rendered = Chart.render(Chart.CI.resolve("everything-values.yaml"));

        assertThat(rendered.workloads()).filteredOn(w -> w.id().equals("Deployment/acme-outpost-gateway"))
                .singleElement().satisfies(w -> assertThat(w.spec().getContainers().get(0).getImage()).isEqualTo(
                        "ghcr.io/outpost/gateway@sha256:4f5a3b0c6d1e2f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8"));
    }

    @Test
    void pullSecretsReachEveryPodAndTheIntegrations() {
        Rendered rendered = Chart.render(Chart.CI.resolve("everything-values.yaml"));

        assertThat(rendered.workloads()).isNotEmpty().allSatisfy(w -> assertThat(w.spec().getImagePullSecrets())
                .as(w.id()).containsExactly(new LocalObjectReference("registry-credentials")));
        assertThat(rendered.runtimeTemplate().orElseThrow().get("imagePullSecrets"))
                .isEqualTo(List.of(Map.of("name", "registry-credentials")));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', nullValues = "null", value = {
            "ghcr.io/outpost/gateway:0.1.0 | null",
            "localhost:5000/outpost/gateway:1.2 | null",
            "ghcr.io/outpost/gateway@sha256:4f5a3b0c6d1e2f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8 | null",
            "ghcr.io/outpost/gateway:latest | image ghcr.io/outpost/gateway:latest uses the latest tag",
            "ghcr.io/outpost/gateway | image ghcr.io/outpost/gateway has neither tag nor digest",
            "localhost:5000/outpost/gateway | image localhost:5000/outpost/gateway has neither tag nor digest",
            "ghcr.io/outpost/gateway@sha256:abc | image ghcr.io/outpost/gateway@sha256:abc has an invalid digest"})
    void pinnedImageReferences(String image, String problem) {
        assertThat(Images.problem(image)).isEqualTo(problem);
    }
}
