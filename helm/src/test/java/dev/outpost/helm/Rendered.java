package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.utils.Serialization;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/** The objects one {@code helm template} run rendered, parsed with fabric8. */
record Rendered(List<HasMetadata> objects) {

    private static final Pattern DOCUMENT_SEPARATOR = Pattern.compile("(?m)^---\\s*$");

    /** A pod template of the chart, named after the object that owns it. */
    record Workload(String id, Map<String, String> labels, PodSpec spec, boolean helmTest) {
    }

    static Rendered parse(String yaml) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String document : DOCUMENT_SEPARATOR.split(yaml)) {
            boolean empty = document.lines().allMatch(line -> line.isBlank() || line.startsWith("#"));
            if (!empty) {
                objects.add(Serialization.unmarshal(document));
            }
        }
        return new Rendered(List.copyOf(objects));
    }

    <T extends HasMetadata> List<T> all(Class<T> kind) {
        return objects.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    <T extends HasMetadata> Optional<T> find(Class<T> kind, String name) {
        return all(kind).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
    }

    <T extends HasMetadata> T get(Class<T> kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError(
                "no " + kind.getSimpleName() + " " + name + " in " + ids()));
    }

    List<String> ids() {
        return objects.stream().map(Rendered::id).toList();
    }

    static String id(HasMetadata o) {
        return o.getKind() + "/" + o.getMetadata().getName();
    }

    /** Every object's id, kind/name. */
    static java.util.Set<String> ids(Rendered rendered) {
        return rendered.objects().stream().map(Rendered::id).collect(java.util.stream.Collectors.toSet());
    }

    /** Every pod template: Deployments, StatefulSets and bare Pods (the helm test pod). */
    List<Workload> workloads() {
        List<Workload> workloads = new ArrayList<>();
        for (Deployment d : all(Deployment.class)) {
            workloads.add(new Workload(id(d), d.getSpec().getTemplate().getMetadata().getLabels(),
                    d.getSpec().getTemplate().getSpec(), false));
        }
        for (StatefulSet s : all(StatefulSet.class)) {
            workloads.add(new Workload(id(s), s.getSpec().getTemplate().getMetadata().getLabels(),
                    s.getSpec().getTemplate().getSpec(), false));
        }
        for (Pod p : all(Pod.class)) {
            var annotations = p.getMetadata().getAnnotations();
            boolean test = annotations != null && ("test".equals(annotations.get("helm.sh/hook"))
                    || "test".equals(annotations.get(Chart.TEST_HOOK_MARKER)));
            workloads.add(new Workload(id(p), p.getMetadata().getLabels(), p.getSpec(), test));
        }
        return workloads;
    }

    /** The component of an object of this release ({@code app.kubernetes.io/component}). */
    static String component(HasMetadata o) {
        return o.getMetadata().getLabels().get("app.kubernetes.io/component");
    }

    /** The integration-runtime settings the agent receives, when the agent is enabled. */
    Optional<Map<String, Object>> runtimeTemplate() {
        return find(ConfigMap.class, Chart.RELEASE + "-outpost-agent")
                .map(cm -> Serialization.unmarshal(cm.getData().get("runtime.json"), Map.class));
    }
}
