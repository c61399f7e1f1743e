package dev.outpost.helm;

import com.marcnuri.helm.LintResult;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code helm lint --strict} passes for every install scenario. */
class LintTest {


    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void lintsCleanly(Path scenario) {
        LintResult result = Chart.lint(scenario);

        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @org.junit.jupiter.api.Test
    void scenariosCoverTheDocumentedInstalls() {
        assertThat(Chart.scenarios()).extracting(p -> p.getFileName().toString()).contains(
                "defaults-values.yaml", "everything-values.yaml", "gateway-only-values.yaml",
                "observability-only-values.yaml", "existing-secret-values.yaml", "openshift-values.yaml");
    }
}
