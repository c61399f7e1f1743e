package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A component's podAnnotations beside the annotations the chart sets on its pod template (the
 * checksums that roll the pods when what they read changes).
 */
class PodAnnotationsTest {

    private static final Path EVERYTHING = Chart.CI.resolve("everything-values.yaml");

    /** Every annotation the chart sets on a component's pod template, read from a render with every option on. */
    static Stream<Arguments> chartAnnotations() {
        Rendered rendered = Chart.render(EVERYTHING);
        List<ObjectMeta> templates = new ArrayList<>();
        rendered.all(Deployment.class).forEach(d -> templates.add(d.getSpec().getTemplate().getMetadata()));
        rendered.all(StatefulSet.class).forEach(s -> templates.add(s.getSpec().getTemplate().getMetadata()));
        Map<String, Object> scenario = Yaml.read(EVERYTHING);
        List<Arguments> annotations = new ArrayList<>();
        for (ObjectMeta template : templates) {
            String component = template.getLabels().get("app.kubernetes.io/component");
            Object given = ((Map<?, ?>) scenario.getOrDefault(component, Map.of())).get("podAnnotations");
            template.getAnnotations().keySet().stream()
                    .filter(key -> !(given instanceof Map<?, ?> map && map.containsKey(key)))
                    .forEach(key -> annotations.add(Arguments.of(component, key)));
        }
        assertThat(annotations).hasSizeGreaterThanOrEqualTo(7);
        return annotations.stream();
    }

    /**
     * The key was rendered twice: kubectl kept the last copy (the checksum stopped rolling the pods)
     * and Argo CD's server-side apply refused the manifest.
     */
    @ParameterizedTest(name = "{0}.podAnnotations.{1}")
    @MethodSource("chartAnnotations")
    void anAnnotationTheChartSetsIsRefusedNamingTheValue(String component, String key) {
        assertThatThrownBy(() -> Chart.templateYaml(EVERYTHING, Map.of(component + ".podAnnotations." + key, "mine")))
                .hasMessageContaining(component + ".podAnnotations: " + key + " is set by the chart");
    }

    /** Another component's checksum is no collision, and the chart's own keep their values. */
    @Test
    void otherAnnotationsReachThePodsBesideTheChartsOwn() {
        String chartChecksum = Chart.render(EVERYTHING).get(Deployment.class, "acme-outpost-gateway")
                .getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/ingest-secret");
        Rendered rendered = Chart.render(EVERYTHING, Map.of("gateway.podAnnotations.checksum/runtime", "mine",
                "agent.podAnnotations.example\\.com/team", "platform"));

        assertThat(rendered.get(Deployment.class, "acme-outpost-gateway").getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("checksum/runtime", "mine").containsEntry("checksum/ingest-secret", chartChecksum);
        assertThat(rendered.get(Deployment.class, "acme-outpost-agent").getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("example.com/team", "platform").containsKey("checksum/runtime");
    }
}
