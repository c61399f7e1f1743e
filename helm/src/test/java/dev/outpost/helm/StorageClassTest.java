package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** observability.persistence.storageClass: "-" is the charts' convention for no dynamic provisioning. */
class StorageClassTest {

    private static String storageClassOf(Map<String, String> sets) {
        Map<String, String> values = new java.util.HashMap<>(sets);
        values.put("observability.persistence.enabled", "true");
        StatefulSet statefulSet = Chart.render(Chart.CI.resolve("defaults-values.yaml"), values)
                .all(StatefulSet.class).get(0);
        return statefulSet.getSpec().getVolumeClaimTemplates().get(0).getSpec().getStorageClassName();
    }

    /** Before, {@code storageClassName: "-"}: a class no cluster has, so the claim stayed Pending. */
    @Test
    void aDashAsksForNoStorageClass() {
        assertThat(storageClassOf(Map.of("observability.persistence.storageClass", "-"))).isEmpty();
    }

    @Test
    void aNamedClassIsUsedAndNoneLeavesTheClusterDefault() {
        assertThat(storageClassOf(Map.of("observability.persistence.storageClass", "fast-ssd"))).isEqualTo("fast-ssd");
        assertThat(storageClassOf(Map.of())).isNull();
    }
}
