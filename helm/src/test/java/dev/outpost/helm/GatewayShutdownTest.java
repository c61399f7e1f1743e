package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The gateway's graceful stop fits the pod's grace period: it serves on for gateway.shutdownDelaySeconds
 * after SIGTERM, then waits for requests in flight for the rest of the period, less 2 s for the JVM's
 * exit, so the kubelet's SIGKILL never lands in the middle (GracefulStopIT runs the stop itself).
 */
class GatewayShutdownTest {

    @Test
    void theDelayAndTheDrainTogetherStayInsideTheGracePeriod() {
        Deployment defaults = gateway(Map.of());
        assertThat(defaults.getSpec().getTemplate().getSpec().getTerminationGracePeriodSeconds()).isEqualTo(40L);
        assertThat(env(defaults, "QUARKUS_SHUTDOWN_DELAY")).isEqualTo("5s");
        // a request arriving in the delay's last moment still gets the default route timeout (30 s)
        assertThat(env(defaults, "QUARKUS_SHUTDOWN_TIMEOUT")).isEqualTo("33s");

        Deployment longer = gateway(Map.of("gateway.terminationGracePeriodSeconds", "120", "gateway.shutdownDelaySeconds", "10"));
        assertThat(env(longer, "QUARKUS_SHUTDOWN_DELAY")).isEqualTo("10s");
        assertThat(env(longer, "QUARKUS_SHUTDOWN_TIMEOUT")).isEqualTo("108s");

        Deployment tight = gateway(Map.of("gateway.terminationGracePeriodSeconds", "8", "gateway.shutdownDelaySeconds", "5"));
        assertThat(env(tight, "QUARKUS_SHUTDOWN_TIMEOUT")).as("never zero, which would mean no wait at all").isEqualTo("1s");
    }

    /** A grace period the delay uses up: the kubelet would kill the pod with its requests in flight. */
    @Test
    void aGracePeriodShorterThanTheDelayAndTheExitIsRefused() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> gateway(Map.of("gateway.terminationGracePeriodSeconds", "5",
                "gateway.shutdownDelaySeconds", "5")))
                .hasMessageContaining("gateway.terminationGracePeriodSeconds (5) must be at least gateway.shutdownDelaySeconds (5) + 3");
    }

    private static Deployment gateway(Map<String, String> sets) {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), sets);
        return rendered.all(Deployment.class).stream()
                .filter(d -> "gateway".equals(Rendered.component(d)))
                .findFirst().orElseThrow(() -> new AssertionError("no gateway Deployment in " + rendered.ids()));
    }

    private static String env(Deployment deployment, String name) {
        Container container = deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("the gateway container has no " + name));
    }
}
