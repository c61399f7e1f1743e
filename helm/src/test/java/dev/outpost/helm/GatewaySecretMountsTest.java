package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The Secrets of {@code gateway.secretMounts} hold routes' API keys. One deleted while still listed
 * (a retired route's) must not keep new gateway pods in ContainerCreating at the next drain: the
 * gateway answers 503 for the routes whose key file is missing and serves every other route. The
 * Secrets a process cannot start without stay required, so that a missing one is seen at once.
 */
class GatewaySecretMountsTest {

    private static final String GATEWAY = "Deployment/acme-outpost-gateway";

    @Test
    void aMountedSecretThatIsGoneKeepsNoGatewayFromStarting() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "gateway.secretMounts[0]", "partner-api-keys", "gateway.secretMounts[1]", "retired-route-keys"));
        var gateway = workload(rendered, GATEWAY);
        Container container = gateway.spec().getContainers().get(0);
        String secretsDir = env(container, "OUTPOST_GATEWAY_SECRETS_DIR");

        for (String secret : List.of("partner-api-keys", "retired-route-keys")) {
            VolumeMount mount = container.getVolumeMounts().stream()
                    .filter(m -> m.getMountPath().equals(secretsDir + "/" + secret)).findFirst()
                    .orElseThrow(() -> new AssertionError(secret + " is not mounted under " + secretsDir));
            Volume volume = gateway.spec().getVolumes().stream().filter(v -> v.getName().equals(mount.getName()))
                    .findFirst().orElseThrow();
            assertThat(volume.getSecret().getSecretName()).isEqualTo(secret);
            assertThat(volume.getSecret().getOptional()).as(secret + " optional").isTrue();
            assertThat(mount.getReadOnly()).isTrue();
        }
    }

    /**
     * The control plane's and the ingest token's Secrets: without them the agent or observability-api cannot run.
     * The previous ingest token, there during a rotation only, is the one key of them read optionally.
     */
    @Test
    void theSecretsAComponentCannotRunWithoutStayRequired() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"));
        List<String> refs = new java.util.ArrayList<>();
        for (var workload : rendered.workloads()) {
            for (Container container : workload.spec().getContainers()) {
                for (EnvVar var : container.getEnv()) {
                    var ref = var.getValueFrom() == null ? null : var.getValueFrom().getSecretKeyRef();
                    if (ref != null && List.of("acme-outpost-control-plane", "acme-outpost-ingest").contains(ref.getName())
                            && !ref.getKey().equals("previous-token")) {
                        refs.add(workload.id() + " " + var.getName());
                        assertThat(ref.getOptional()).as(workload.id() + " " + var.getName()).isNotEqualTo(Boolean.TRUE);
                    }
                }
            }
        }
        assertThat(refs).contains("Deployment/acme-outpost-agent OUTPOST_AGENT_CONTROL_PLANE_TOKEN",
                "Deployment/acme-outpost-gateway OUTPOST_INGEST_TOKEN",
                "StatefulSet/acme-outpost-observability OUTPOST_OBSERVABILITY_INGEST_DATA_PLANE_TOKEN");
    }

    private static Rendered.Workload workload(Rendered rendered, String id) {
        return rendered.workloads().stream().filter(w -> w.id().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + id + " in " + rendered.ids()));
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name));
    }
}
