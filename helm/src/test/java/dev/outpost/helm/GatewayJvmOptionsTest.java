package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * bench/gateway/run.sh starts its gateways with the JVM options a default install gives the gateway pod,
 * so the bench's figures are the chart's: the same options, with the heap percentages of the memory
 * limit written out as sizes.
 */
class GatewayJvmOptionsTest {

    private static final Path BENCH = Path.of("..", "bench", "gateway", "run.sh");
    private static final Pattern BENCH_OPTS = Pattern.compile("(?m)^JVM_OPTS=\"([^\"]*)\"");

    @Test
    void benchStartsTheGatewayWithTheChartsOptions() throws IOException {
        Container gateway = gatewayContainer();
        List<String> chart = new ArrayList<>(Arrays.asList(env(gateway, "JAVA_OPTS_APPEND").trim().split("\\s+")));
        chart.removeIf(option -> option.startsWith("-D")); // the image's own (listen address, log manager)
        long limitMiB = Quantity.getAmountInBytes(gateway.getResources().getLimits().get("memory")).longValue() >> 20;

        List<String> expected = new ArrayList<>();
        for (String option : chart) {
            if (option.startsWith("-XX:MaxRAMPercentage=")) {
                expected.add("-Xmx" + percentOf(limitMiB, option) + "m");
            } else if (option.startsWith("-XX:InitialRAMPercentage=")) {
                expected.add("-Xms" + percentOf(limitMiB, option) + "m");
            } else {
                expected.add(option);
            }
        }
        assertThat(benchOptions()).as("bench/gateway/run.sh's JVM_OPTS against the chart's gateway.javaOpts at a "
                + limitMiB + "Mi limit").containsExactlyInAnyOrderElementsOf(expected);
    }

    private static Container gatewayContainer() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"));
        Deployment deployment = rendered.all(Deployment.class).stream()
                .filter(d -> "gateway".equals(Rendered.component(d)))
                .findFirst().orElseThrow(() -> new AssertionError("no gateway Deployment in " + rendered.ids()));
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    private static String env(Container container, String name) {
        return container.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("the gateway container has no " + name));
    }

    private static long percentOf(long limitMiB, String option) {
        return Math.round(limitMiB * Double.parseDouble(option.substring(option.indexOf('=') + 1)) / 100);
    }

    private static List<String> benchOptions() throws IOException {
        Matcher matcher = BENCH_OPTS.matcher(Files.readString(BENCH));
        assertThat(matcher.find()).as("a JVM_OPTS=\"...\" line in " + BENCH).isTrue();
        return Arrays.asList(matcher.group(1).trim().split("\\s+"));
    }
}
