package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code observability.replicaCount: 0} stops observability-api and changes nothing else, so that a
 * backup or a restore of its claim is a value (which GitOps self-heal keeps) rather than a
 * {@code kubectl scale} it undoes.
 */
class ObservabilityStoppedTest {

    private static final Map<String, String> STOPPED = Map.of("observability.replicaCount", "0");
    private static final String STATEFUL_SET = Chart.RELEASE + "-outpost-observability";
    private static final String TEST_POD = Chart.RELEASE + "-outpost-test";

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"defaults-values.yaml", "everything-values.yaml"})
    void onlyTheStatefulSetsReplicasChange(String scenario) {
        Path values = Chart.CI.resolve(scenario);
        Rendered running = Chart.render(values);
        Rendered stopped = Chart.render(values, STOPPED);

        assertThat(stopped.get(StatefulSet.class, STATEFUL_SET).getSpec().getReplicas()).isZero();
        StatefulSet restarted = stopped.get(StatefulSet.class, STATEFUL_SET).toBuilder().editSpec().withReplicas(1).endSpec().build();
        assertThat(restarted).isEqualTo(running.get(StatefulSet.class, STATEFUL_SET));
        assertThat(Rendered.ids(stopped)).isEqualTo(Rendered.ids(running));
        for (HasMetadata object : running.objects()) {
            String id = Rendered.id(object);
            if (!id.equals("StatefulSet/" + STATEFUL_SET) && !id.equals("Pod/" + TEST_POD)) {
                assertThat(stopped.objects()).as(id + " unchanged").contains(object);
            }
        }
    }

    /** A stopped observability-api is not a failed test: the test checks what runs. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"defaults-values.yaml", "everything-values.yaml"})
    void theHelmTestChecksTheGatewayButNotAStoppedObservabilityApi(String scenario) {
        String script = String.join("\n", Chart.render(Chart.CI.resolve(scenario), STOPPED)
                .get(Pod.class, TEST_POD).getSpec().getContainers().get(0).getArgs());

        assertThat(script).contains("acme-outpost-gateway-headless:9000/q/health/ready")
                .doesNotContain("check http://acme-outpost-observability-headless")
                .contains("observability-api is stopped (observability.replicaCount 0)");
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"defaults-values.yaml", "everything-values.yaml"})
    void theNotesSayItIsStopped(String scenario) {
        assertThat(Chart.installOutput(Chart.CI.resolve(scenario), STOPPED))
                .contains("observability-api is stopped (observability.replicaCount 0)");
        assertThat(Chart.installOutput(Chart.CI.resolve(scenario), Map.of()))
                .doesNotContain("observability-api is stopped");
    }
}
