package dev.outpost.helm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetSpec;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The gateway's PodDisruptionBudget takes minAvailable or maxUnavailable, each a number or a
 * percentage: with an autoscaler, a percentage follows the replicas it sets, where a fixed
 * "1 available" let all but one of ten gateways be drained at once. A budget no eviction could
 * satisfy at the fewest replicas is refused at render, since node drains would hang on it.
 */
class GatewayDisruptionBudgetTest {

    private static final String BUDGET = "gateway.podDisruptionBudget.";

    /** Values set, then the field the budget renders and its value (a number, or a percentage as text). */
    static Stream<Arguments> shapes() {
        return Stream.of(
                shape(Map.of(), "minAvailable", 1),
                shape(Map.of("minAvailable", "50%"), "minAvailable", "50%"),
                shape(Map.of("minAvailable", "null", "maxUnavailable", "1"), "maxUnavailable", 1),
                shape(Map.of("minAvailable", "null", "maxUnavailable", "25%"), "maxUnavailable", "25%"),
                // the autoscaler's floor of 2: 25% of it rounds up to one gateway
                shape(Map.of("minAvailable", "null", "maxUnavailable", "25%", "autoscaling", "true"), "maxUnavailable", "25%"),
                // 50% of 2 is 1: one of the two may go
                shape(Map.of("minAvailable", "50%", "autoscaling", "true"), "minAvailable", "50%"));
    }

    private static Arguments shape(Map<String, String> sets, String field, Object value) {
        return Arguments.of(sets, field, value);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void eachShapeRendersAsTheBudgetsOneField(Map<String, String> sets, String field, Object value) {
        PodDisruptionBudgetSpec spec = Chart.render(Chart.CI.resolve("defaults-values.yaml"), values(sets))
                .get(PodDisruptionBudget.class, "acme-outpost-gateway").getSpec();
        IntOrString rendered = field.equals("minAvailable") ? spec.getMinAvailable() : spec.getMaxUnavailable();
        IntOrString other = field.equals("minAvailable") ? spec.getMaxUnavailable() : spec.getMinAvailable();
        assertThat(rendered).as(field).isNotNull();
        if (value instanceof Integer number) {
            assertThat(rendered.getIntVal()).as(field + " as a number").isEqualTo(number);
        } else {
            assertThat(rendered.getStrVal()).as(field + " as a percentage").isEqualTo(value);
        }
        assertThat(other).as("the other field").isNull();
    }

    /** Values set, then what the message must say. */
    static Stream<Arguments> refused() {
        return Stream.of(
                // the default minAvailable stays beside a maxUnavailable given: which one was meant?
                refuse(Map.of("maxUnavailable", "25%"),
                        "gateway.podDisruptionBudget.minAvailable (1) and gateway.podDisruptionBudget.maxUnavailable (25%) "
                                + "are both set: a budget takes one of them; set the other to null"),
                refuse(Map.of("minAvailable", "null"),
                        "gateway.podDisruptionBudget needs minAvailable or maxUnavailable"),
                // 2 of 2 replicas: every eviction refused
                refuse(Map.of("minAvailable", "2"),
                        "gateway.podDisruptionBudget.minAvailable (2) must be below the gateway's replicas (2"),
                // 60% of 2 rounds up to 2, as Kubernetes rounds it
                refuse(Map.of("minAvailable", "60%"),
                        "gateway.podDisruptionBudget.minAvailable (60%, 2 of 2 replicas rounded up) must be below the gateway's replicas (2"),
                refuse(Map.of("minAvailable", "100%", "autoscaling", "true"),
                        "gateway.podDisruptionBudget.minAvailable (100%, 2 of 2 replicas rounded up) must be below the gateway's replicas (2"),
                refuse(Map.of("minAvailable", "null", "maxUnavailable", "0"),
                        "gateway.podDisruptionBudget.maxUnavailable (0) must let at least one gateway go"),
                refuse(Map.of("minAvailable", "null", "maxUnavailable", "0%"),
                        "gateway.podDisruptionBudget.maxUnavailable (0%) must let at least one gateway go"));
    }

    private static Arguments refuse(Map<String, String> sets, String message) {
        return Arguments.of(sets, message);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void aBudgetThatIsAmbiguousOrBlocksEveryDrainIsRefused(Map<String, String> sets, String message) {
        assertThatThrownBy(() -> Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), values(sets)))
                .hasMessageContaining(message);
    }

    @Test
    void oneGatewayHasNoBudgetOfPodsThatMustStay() {
        // a minAvailable budget would either block every drain or allow nothing
        assertThat(Chart.templateYaml(Chart.CI.resolve("defaults-values.yaml"), Map.of("gateway.replicaCount", "1")))
                .doesNotContain("kind: PodDisruptionBudget");
    }

    /**
     * An autoscaler's floor of one: a maxUnavailable budget never blocks a drain, and at ten
     * gateways it is what keeps a drain from evicting them all at once; it was left out.
     */
    @Test
    void anAutoscalersFloorOfOneStillHasAPercentageBudgetOfPodsThatMayGo() {
        Map<String, String> sets = values(Map.of("minAvailable", "null", "maxUnavailable", "25%", "autoscaling", "true"));
        sets.put("gateway.autoscaling.minReplicas", "1");
        PodDisruptionBudgetSpec spec = Chart.render(Chart.CI.resolve("defaults-values.yaml"), sets)
                .get(PodDisruptionBudget.class, "acme-outpost-gateway").getSpec();
        assertThat(spec.getMaxUnavailable().getStrVal()).isEqualTo("25%");
    }

    /** The budget's keys under their full names; {@code autoscaling} turns the autoscaler on (2 to 10 replicas). */
    private static Map<String, String> values(Map<String, String> sets) {
        Map<String, String> values = new HashMap<>();
        sets.forEach((key, value) -> {
            if (key.equals("autoscaling")) {
                values.put("gateway.autoscaling.enabled", value);
            } else {
                values.put(BUDGET + key, value);
            }
        });
        return values;
    }
}
