package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The Kubernetes recommended labels on every object; selectors that survive upgrades. */
class LabelsTest {

    static final List<String> RECOMMENDED = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/component", "app.kubernetes.io/part-of",
            "app.kubernetes.io/managed-by");


    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void everyObjectCarriesTheRecommendedLabels(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        for (HasMetadata object : rendered.objects()) {
            Map<String, String> labels = object.getMetadata().getLabels();
            assertThat(labels).as(Rendered.id(object)).containsKeys(RECOMMENDED.toArray(String[]::new));
            assertThat(labels).as(Rendered.id(object)).containsEntry("app.kubernetes.io/name", "outpost")
                    .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                    .containsEntry("app.kubernetes.io/version", "0.1.0")
                    .containsEntry("app.kubernetes.io/part-of", "outpost")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm");
        }
        for (Rendered.Workload workload : rendered.workloads()) {
            assertThat(workload.labels()).as(workload.id() + " pod template").containsKeys(RECOMMENDED.toArray(String[]::new));
            if (!workload.helmTest()) {
                // an upgrade of the chart alone must roll no pod (observability's emptyDir data would go)
                assertThat(workload.labels()).as(workload.id() + " pod template").doesNotContainKey("helm.sh/chart");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void selectorsNeverNameAVersion(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        List<Map<String, String>> selectors = new ArrayList<>();
        rendered.all(Deployment.class).forEach(d -> selectors.add(d.getSpec().getSelector().getMatchLabels()));
        rendered.all(StatefulSet.class).forEach(s -> selectors.add(s.getSpec().getSelector().getMatchLabels()));
        rendered.all(Service.class).forEach(s -> selectors.add(s.getSpec().getSelector()));
        rendered.all(PodDisruptionBudget.class).forEach(p -> selectors.add(p.getSpec().getSelector().getMatchLabels()));
        rendered.all(NetworkPolicy.class).forEach(p -> selectors.add(p.getSpec().getPodSelector().getMatchLabels()));

        assertThat(selectors).isNotEmpty().allSatisfy(selector ->
                assertThat(selector).doesNotContainKeys("app.kubernetes.io/version", "helm.sh/chart"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void eachWorkloadSelectsOnlyItsOwnPods(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        for (Deployment d : rendered.all(Deployment.class)) {
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).as(Rendered.id(d))
                    .containsAllEntriesOf(d.getSpec().getSelector().getMatchLabels())
                    .containsEntry("app.kubernetes.io/component", d.getSpec().getSelector().getMatchLabels().get("app.kubernetes.io/component"));
        }
        for (StatefulSet s : rendered.all(StatefulSet.class)) {
            assertThat(s.getSpec().getTemplate().getMetadata().getLabels()).as(Rendered.id(s))
                    .containsAllEntriesOf(s.getSpec().getSelector().getMatchLabels());
        }
    }
}
