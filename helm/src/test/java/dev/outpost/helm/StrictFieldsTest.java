package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every field the chart renders is a field of the Kubernetes API: fabric8 keeps unknown ones aside
 * as "additional properties", which an API server with strict field validation refuses (and an
 * older one silently drops, e.g. a misspelt readOnlyRootFilesystem).
 */
class StrictFieldsTest {


    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void noUnknownFields(Path scenario) throws Exception {
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : Chart.render(scenario).objects()) {
            if (!isCustomResource(object)) {
                collect(Rendered.id(object), object, unknown);
            }
        }
        assertThat(unknown).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void aMisspeltFieldWouldBeFound(Path scenario) throws Exception {
        String yaml = Chart.templateYaml(scenario, Map.of()).replace("readOnlyRootFilesystem:", "readOnlyRootFileSystem:");
        List<String> unknown = new ArrayList<>();
        for (HasMetadata object : Rendered.parse(yaml).objects()) {
            if (!isCustomResource(object)) {
                collect(Rendered.id(object), object, unknown);
            }
        }
        assertThat(unknown).isNotEmpty().allMatch(u -> u.endsWith("readOnlyRootFileSystem"));
    }

    /**
     * A custom resource (the PodMonitors) has no fabric8 model to hold its fields against: every field is
     * "additional". ScenariosTest checks the ones the chart writes.
     */
    static boolean isCustomResource(HasMetadata object) {
        return object instanceof io.fabric8.kubernetes.api.model.GenericKubernetesResource;
    }

    /** Walks the fabric8 model through its getters, reporting additional properties with their path. */
    static void collect(String path, Object node, List<String> unknown) throws Exception {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                collect(path + "[" + i++ + "]", item, unknown);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                collect(path + "." + e.getKey(), e.getValue(), unknown);
            }
            return;
        }
        if (!(node instanceof KubernetesResource)) {
            return;
        }
        for (Method getter : node.getClass().getMethods()) {
            if (getter.getParameterCount() != 0 || Modifier.isStatic(getter.getModifiers())
                    || !getter.getName().startsWith("get") || getter.getDeclaringClass() == Object.class) {
                continue;
            }
            Object value = getter.invoke(node);
            if (getter.getName().equals("getAdditionalProperties")) {
                ((Map<?, ?>) value).keySet().forEach(key -> unknown.add(path + "." + key));
            } else if (value != null) {
                collect(path + "." + getter.getName().substring(3), value, unknown);
            }
        }
    }
}
