package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A long release name (Helm allows 53 characters) or name override still gives every object a name of
 * its own that Kubernetes accepts. Cut to 63 characters as a whole, {@code <long>-observability} and
 * {@code <long>-observability-headless} were one Service name.
 */
class LongNamesTest {

    /** A StatefulSet's pods carry controller-revision-hash=<name>-<10 chars>, a label value of at most 63. */
    static final int STATEFUL_SET_NAME_MAX = 52;

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"fullnameOverride", "nameOverride"})
    void everyObjectKeepsANameOfItsOwnWithinKubernetesLimits(String key) {
        Rendered everything = Chart.render(Chart.CI.resolve("everything-values.yaml"));
        Rendered longNamed = Chart.render(Chart.CI.resolve("everything-values.yaml"), Map.of(key, "n".repeat(63)));

        assertThat(Rendered.ids(longNamed)).allSatisfy(n -> assertThat(n.substring(n.indexOf('/') + 1))
                .as(n).hasSizeLessThanOrEqualTo(63));
        assertThat(longNamed.all(StatefulSet.class)).isNotEmpty().extracting(s -> s.getMetadata().getName())
                .allSatisfy(n -> assertThat(n).as("StatefulSet " + n).hasSizeLessThanOrEqualTo(STATEFUL_SET_NAME_MAX));
        assertThat(Rendered.ids(longNamed)).as("one name per object, as with a short name")
                .hasSameSizeAs(Rendered.ids(everything)).hasSize(longNamed.objects().size());
    }

    /** Cutting each component's name, not the full name, leaves every name that fitted as it was. */
    @org.junit.jupiter.api.Test
    void aNameThatFitsIsNotCut() {
        String fullname = "f".repeat(45);
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("fullnameOverride", fullname));
        assertThat(Rendered.ids(rendered)).contains("Deployment/" + fullname + "-gateway",
                "Service/" + fullname + "-gateway-headless", "Deployment/" + fullname + "-agent");
    }
}
