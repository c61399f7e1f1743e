package dev.outpost.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The chart under test, driven through the helm library that helm-java bundles. Renders are cached
 * per (values file, overrides): templating is deterministic and the tests only read the result.
 */
final class Chart {

    /** The chart directory, relative to the module (Surefire runs in the module directory). */
    static final Path DIR = Path.of("outpost").toAbsolutePath();
    static final Path CI = DIR.resolve("ci");
    static final String RELEASE = "acme";
    static final String NAMESPACE = "integrations";
    /** {@code @MethodSource} of the tests run once per install scenario. */
    static final String SCENARIOS = "dev.outpost.helm.Chart#scenarios";

    /** Annotation that replaces {@code helm.sh/hook: test} in the copy that is rendered (see {@link #renderable()}). */
    static final String TEST_HOOK_MARKER = "outpost.dev/helm-test-hook";

    private static final Map<String, Rendered> RENDERS = new ConcurrentHashMap<>();
    private static Path renderable;

    private Chart() {
    }

    /** Every install scenario: the chart's {@code ci/*-values.yaml} files, sorted by name. */
    static List<Path> scenarios() {
        try (Stream<Path> files = Files.list(CI)) {
            return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm template} with a values file and {@code --set} overrides, parsed. */
    static Rendered render(Path valuesFile, Map<String, String> sets) {
        return RENDERS.computeIfAbsent(valuesFile + " " + new java.util.TreeMap<>(sets),
                key -> Rendered.parse(templateYaml(valuesFile, sets)));
    }

    static Rendered render(Path valuesFile) {
        return render(valuesFile, Map.of());
    }

    /** The raw output of {@code helm template}; throws with helm's message when rendering fails. */
    static String templateYaml(Path valuesFile, Map<String, String> sets) {
        var template = new Helm(renderable()).template().withName(RELEASE).withNamespace(NAMESPACE);
        if (valuesFile != null) {
            template = template.withValuesFile(valuesFile);
        }
        for (var set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        return template.call();
    }

    /** What {@code helm install} prints after the install (NOTES.txt included): a client-only dry run. */
    static String installOutput(Path valuesFile, Map<String, String> sets) {
        var install = new Helm(DIR).install().withName(RELEASE).withNamespace(NAMESPACE).dryRun().clientOnly()
                .withValuesFile(valuesFile);
        for (var set : sets.entrySet()) {
            install = install.set(set.getKey(), set.getValue());
        }
        return install.call().getOutput();
    }

    /**
     * {@code helm lint --strict} with a scenario's values. helm-java's lint takes no values file, so
     * the chart is copied and the scenario is merged into the copy's values.yaml (maps merged, other
     * values replaced: Helm's own rule).
     */
    static LintResult lint(Path valuesFile) {
        try {
            Path copy = copy(false);
            Map<String, Object> merged = Yaml.deepMerge(Yaml.read(DIR.resolve("values.yaml")), Yaml.read(valuesFile));
            Files.writeString(copy.resolve("values.yaml"), Yaml.write(merged));
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The chart as rendered by the tests. helm-java's template prints the release manifest without
     * its hooks, so the helm test objects would escape every check; in this copy their
     * {@code helm.sh/hook: test} annotation is renamed to {@link #TEST_HOOK_MARKER}, which makes them
     * ordinary objects of the output. Nothing else differs from the chart.
     */
    static synchronized Path renderable() {
        if (renderable == null) {
            try {
                renderable = copy(true);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return renderable;
    }

    private static Path copy(boolean unhookTests) throws IOException {
        Path to = Files.createTempDirectory("outpost-chart-").resolve("outpost");
        Path tests = DIR.resolve("templates/tests");
        try (Stream<Path> paths = Files.walk(DIR)) {
            for (Path source : paths.toList()) {
                Path target = to.resolve(DIR.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else if (unhookTests && source.startsWith(tests)) {
                    Files.writeString(target, Files.readString(source).replace("helm.sh/hook: test", TEST_HOOK_MARKER + ": test"));
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return to;
    }
}
