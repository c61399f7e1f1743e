package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpec;
import io.fabric8.kubernetes.api.model.apps.StatefulSetSpecBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A change the README calls safe on upgrade leaves every field Kubernetes refuses to change as it was:
 * a Deployment's selector, a StatefulSet's spec but for the fields it lets change, a Service's
 * clusterIP. Otherwise {@code helm upgrade} fails (or, for a renamed object, deletes and recreates it).
 */
class ImmutableFieldsTest {

    private static final String SIZE = "observability.persistence.size";

    /** The value changes the README calls safe, each under its name. */
    private static final Map<String, Map<String, String>> SAFE_CHANGES = Map.of(
            "commonLabels added", Map.of("commonLabels.tier", "edge"),
            "resources changed", Map.of("gateway.resources.requests.cpu", "500m",
                    "observability.resources.requests.cpu", "1", "agent.resources.requests.cpu", "200m",
                    "integrationRuntime.resources.requests.cpu", "300m"),
            "claimRetention changed", Map.of("observability.persistence.claimRetention.whenDeleted", "Delete"),
            "replicaCount changed", Map.of("gateway.replicaCount", "4", "agent.replicaCount", "3",
                    "observability.replicaCount", "0"),
            // README, Upgrades: changes volumeClaimTemplates; delete the StatefulSet with --cascade=orphan first
            "persistence.size changed", Map.of(SIZE, "100Gi"),
            "images' tag changed", Map.of("gateway.image.tag", "0.2.0", "observability.image.tag", "0.2.0",
                    "agent.image.tag", "0.2.0", "integrationRuntime.image.tag", "0.2.0"));

    static Stream<Arguments> changes() {
        return Stream.of("defaults-values.yaml", "everything-values.yaml").flatMap(scenario ->
                SAFE_CHANGES.keySet().stream().sorted().map(change -> Arguments.of(scenario, change)));
    }

    @ParameterizedTest(name = "{0}, {1}")
    @MethodSource("changes")
    void immutableFieldsStayAsTheyWere(String scenario, String change) {
        Rendered before = Chart.render(Chart.CI.resolve(scenario));
        Rendered after = Chart.render(Chart.CI.resolve(scenario), SAFE_CHANGES.get(change));

        assertSameFields(before, after, Deployment.class, d -> d.getSpec().getSelector());
        assertSameFields(before, after, Service.class, s -> String.valueOf(s.getSpec().getClusterIP()));
        if (change.equals("persistence.size changed")) {
            // documented as refused in place: only the claims' size differs, and it does where the chart makes claims
            assertSameFields(before, after, StatefulSet.class, s -> withoutClaimSizes(immutableSpec(s)));
            after.all(StatefulSet.class).forEach(s -> assertThat(s.getSpec().getVolumeClaimTemplates())
                    .allSatisfy(claim -> assertThat(claim.getSpec().getResources().getRequests())
                            .containsEntry("storage", new Quantity("100Gi"))));
        } else {
            assertSameFields(before, after, StatefulSet.class, ImmutableFieldsTest::immutableSpec);
        }
    }

    /** The same objects of this kind, by name, each with the same value of {@code field}. */
    private static <T extends io.fabric8.kubernetes.api.model.HasMetadata> void assertSameFields(
            Rendered before, Rendered after, Class<T> kind, Function<T, Object> field) {
        List<String> names = before.all(kind).stream().map(o -> o.getMetadata().getName()).toList();
        assertThat(after.all(kind)).extracting(o -> o.getMetadata().getName()).as(kind.getSimpleName() + " names")
                .containsExactlyInAnyOrderElementsOf(names);
        for (T old : before.all(kind)) {
            T changed = after.get(kind, old.getMetadata().getName());
            assertThat(field.apply(changed)).as(Rendered.id(old)).isEqualTo(field.apply(old));
        }
    }

    /**
     * A StatefulSet's spec without what Kubernetes lets an update change (replicas, ordinals, template,
     * updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy, minReadySeconds): the
     * selector, serviceName, podManagementPolicy and volumeClaimTemplates stay.
     */
    private static StatefulSetSpec immutableSpec(StatefulSet set) {
        return new StatefulSetSpecBuilder(set.getSpec()).withReplicas(null).withOrdinals(null).withTemplate(null)
                .withUpdateStrategy(null).withRevisionHistoryLimit(null).withPersistentVolumeClaimRetentionPolicy(null)
                .withMinReadySeconds(null).build();
    }

    private static StatefulSetSpec withoutClaimSizes(StatefulSetSpec spec) {
        List<PersistentVolumeClaim> claims = spec.getVolumeClaimTemplates().stream()
                .map(claim -> new PersistentVolumeClaimBuilder(claim).editSpec().editResources()
                        .removeFromRequests("storage").endResources().endSpec().build())
                .toList();
        return new StatefulSetSpecBuilder(spec).withVolumeClaimTemplates(claims).build();
    }
}
