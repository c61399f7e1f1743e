package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's alerts (metrics.prometheusRule): rendered as Prometheus reads them, their expressions
 * and annotations run by {@code promtool test rules} against series of this release's namespace and
 * another's, each held to the release's namespace, and each reading metrics the components document.
 */
class PrometheusRuleTest {

    private static final Path EVERYTHING = Chart.CI.resolve("everything-values.yaml");
    private static final Path UNIT_TESTS = Path.of("src/test/resources/prometheus/alerts-test.yaml");
    private static final Pattern METRIC = Pattern.compile("\\b(outpost_[a-z0-9_]+?)(_count|_sum|_bucket)?\\b(\\{[^}]*})?");

    @Test
    void theAlertsFireAsTheirUnitTestsSay(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("rules.yaml"), Yaml.write(spec(Chart.render(EVERYTHING))));
        Files.copy(UNIT_TESTS, dir.resolve("alerts-test.yaml"));

        assertThat(promtool(dir, "check", "rules", "rules.yaml")).contains("SUCCESS: 12 rules found");
        assertThat(promtool(dir, "test", "rules", "alerts-test.yaml")).contains("SUCCESS");
    }

    @Test
    void everyAlertHasAUnitTestThatSeesItFire() throws IOException {
        String tests = Files.readString(UNIT_TESTS);
        for (String alert : alerts(Chart.render(EVERYTHING))) {
            // an alert's case expecting it to fire names it, then lists the alerts it expects
            assertThat(Pattern.compile("alertname: " + alert + "\\s+exp_alerts:\\s+- exp_labels").matcher(tests).find())
                    .as("a promtool case in which %s fires", alert).isTrue();
        }
    }

    @Test
    void everyMetricSelectorIsHeldToTheReleasesNamespace() {
        List<String> expressions = expressions(Chart.render(EVERYTHING));
        assertThat(expressions).hasSize(12);
        for (String expr : expressions) {
            Matcher m = METRIC.matcher(expr);
            int selectors = 0;
            while (m.find()) {
                selectors++;
                assertThat(m.group(3)).as("selector of %s in %s", m.group(1), expr)
                        .isNotNull().contains("namespace=\"" + Chart.NAMESPACE + "\"");
            }
            assertThat(selectors).as(expr).isPositive();
        }
    }

    /** A metric an alert reads that no component documents is most likely misspelt, and never fires. */
    @Test
    void everyMetricTheAlertsReadIsOneTheComponentsDocument() throws IOException {
        StringBuilder docs = new StringBuilder();
        for (String readme : List.of("../ARCHITECTURE.md", "../gateway/README.md", "../observability-api/README.md",
                "../integration-runtime/README.md")) {
            docs.append(Files.readString(Path.of(readme)));
        }
        TreeSet<String> metrics = new TreeSet<>();
        for (String expr : expressions(Chart.render(EVERYTHING))) {
            Matcher m = METRIC.matcher(expr);
            while (m.find()) {
                metrics.add(m.group(1));
            }
        }
        assertThat(metrics).hasSizeGreaterThan(8);
        // ARCHITECTURE.md names the agent's gauges after their common prefix (`_applying`)
        assertThat(metrics).allSatisfy(metric -> assertThat(
                docs.indexOf(metric) >= 0 || docs.indexOf("`_" + metric.substring("outpost_agent_".length()) + "`") >= 0)
                .as("%s documented", metric).isTrue());
    }

    @Test
    void onlyTheComponentsThatRunHaveAlerts() {
        Map<String, String> on = Map.of("metrics.prometheusRule.enabled", "true");
        assertThat(groups(Chart.render(Chart.CI.resolve("gateway-only-values.yaml"), on))).containsExactly("outpost-gateway");
        assertThat(groups(Chart.render(Chart.CI.resolve("observability-only-values.yaml"), on)))
                .containsExactly("outpost-observability");
        assertThat(groups(Chart.render(EVERYTHING))).containsExactly(
                "outpost-gateway", "outpost-observability", "outpost-agent", "outpost-integrations");
        assertThat(Chart.render(Chart.CI.resolve("defaults-values.yaml")).objects())
                .noneMatch(o -> o.getKind().equals("PrometheusRule"));
    }

    @Test
    void disabledAlertsAreLeftOutAndRuleLabelsReachEveryAlert() {
        Rendered rendered = Chart.render(EVERYTHING, Map.of(
                "metrics.prometheusRule.disabled[0]", "OutpostGatewayErrorsHigh",
                "metrics.prometheusRule.disabled[1]", "OutpostIngestDiskRefusing"));
        assertThat(alerts(rendered)).hasSize(10).doesNotContain("OutpostGatewayErrorsHigh", "OutpostIngestDiskRefusing")
                .contains("OutpostGatewayCircuitBreakerOpen", "OutpostStorageDayUnreadable", "OutpostAgentDisconnected");
        assertThat(rules(rendered)).allSatisfy(rule -> assertThat(labels(rule)).containsEntry("team", "platform")
                .containsKey("severity"));
        GenericKubernetesResource rule = prometheusRule(rendered);
        assertThat(rule.getMetadata().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(rule.getMetadata().getLabels()).containsEntry("release", "prometheus");
    }

    /**
     * A group whose alerts are all disabled is left out, and the PrometheusRule when no group is left:
     * the group rendered with an empty rules list.
     */
    @Test
    void aGroupWhoseAlertsAreAllDisabledIsLeftOut(@TempDir Path dir) throws Exception {
        Rendered rendered = Chart.render(EVERYTHING, Map.of("metrics.prometheusRule.disabled[0]", "OutpostIngestDiskRefusing",
                "metrics.prometheusRule.disabled[1]", "OutpostStorageDayUnreadable",
                "metrics.prometheusRule.disabled[2]", "OutpostIntegrationFailuresHigh"));
        assertThat(groups(rendered)).containsExactly("outpost-gateway", "outpost-agent");
        assertThat(groupMaps(rendered)).allSatisfy(group -> assertThat((List<?>) group.get("rules")).isNotEmpty());
        Files.writeString(dir.resolve("rules.yaml"), Yaml.write(spec(rendered)));
        assertThat(promtool(dir, "check", "rules", "rules.yaml")).contains("SUCCESS: 9 rules found");

        Map<String, String> gatewayAlertsOff = new HashMap<>(Map.of("metrics.prometheusRule.enabled", "true"));
        List<String> gatewayAlerts = List.of("OutpostGatewayErrorsHigh", "OutpostGatewayCircuitBreakerOpen",
                "OutpostGatewayRoutesRefused", "OutpostGatewayRoutesDiverged", "OutpostGatewayClusterSplit");
        for (int i = 0; i < gatewayAlerts.size(); i++) {
            gatewayAlertsOff.put("metrics.prometheusRule.disabled[" + i + "]", gatewayAlerts.get(i));
        }
        assertThat(Chart.render(Chart.CI.resolve("gateway-only-values.yaml"), gatewayAlertsOff).objects())
                .noneMatch(o -> o.getKind().equals("PrometheusRule"));
    }

    private static String promtool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("promtool"));
        command.addAll(List.of(args));
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new AssertionError("promtool is needed for the alert tests (Debian: apt-get install prometheus; "
                    + ".ci/run installs it)", e);
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", args), output).isZero();
        return output;
    }

    private static GenericKubernetesResource prometheusRule(Rendered rendered) {
        return rendered.objects().stream().filter(o -> o.getKind().equals("PrometheusRule"))
                .map(GenericKubernetesResource.class::cast).reduce((a, b) -> {
                    throw new AssertionError("two PrometheusRules");
                }).orElseThrow(() -> new AssertionError("no PrometheusRule in " + rendered.ids()));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> spec(Rendered rendered) {
        return (Map<String, Object>) prometheusRule(rendered).getAdditionalProperties().get("spec");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> groupMaps(Rendered rendered) {
        return (List<Map<String, Object>>) spec(rendered).get("groups");
    }

    private static List<String> groups(Rendered rendered) {
        return groupMaps(rendered).stream().map(g -> (String) g.get("name")).toList();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> rules(Rendered rendered) {
        return groupMaps(rendered).stream()
                .flatMap(g -> g.get("rules") == null ? Stream.empty() : ((List<Map<String, Object>>) g.get("rules")).stream())
                .toList();
    }

    private static List<String> alerts(Rendered rendered) {
        return rules(rendered).stream().map(r -> (String) r.get("alert")).toList();
    }

    private static List<String> expressions(Rendered rendered) {
        return rules(rendered).stream().map(r -> (String) r.get("expr")).toList();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, String> labels(Map<String, Object> rule) {
        return (Map<String, String>) rule.get("labels");
    }
}
