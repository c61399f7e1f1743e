package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The security rules every pod the chart renders must follow, each a function from a pod template
 * to the violations it finds (empty when the pod complies). A violation names the object, the
 * container and what is wrong.
 */
enum PodRules {

    RUN_AS_NON_ROOT(w -> eachContainer(w, (c, v) -> {
        PodSecurityContext pod = podContext(w);
        SecurityContext sc = containerContext(c);
        boolean nonRoot = Boolean.TRUE.equals(Optional.ofNullable(sc.getRunAsNonRoot()).orElse(pod.getRunAsNonRoot()));
        Long uid = Optional.ofNullable(sc.getRunAsUser()).orElse(pod.getRunAsUser());
        if (!nonRoot) {
            v.add("runAsNonRoot is not true");
        }
        if (uid != null && uid == 0) {
            v.add("runAsUser is 0 (root)");
        }
    })),

    READ_ONLY_ROOT_FILESYSTEM(w -> eachContainer(w, (c, v) -> {
        if (!Boolean.TRUE.equals(containerContext(c).getReadOnlyRootFilesystem())) {
            v.add("readOnlyRootFilesystem is not true");
        }
        boolean tmpIsEmptyDir = c.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/tmp"))
                .anyMatch(m -> volume(w, m.getName()).map(vol -> vol.getEmptyDir() != null).orElse(false));
        if (!tmpIsEmptyDir) {
            v.add("no emptyDir mounted at /tmp");
        }
    })),

    CAPABILITIES_DROPPED(w -> eachContainer(w, (c, v) -> {
        var caps = containerContext(c).getCapabilities();
        if (caps == null || !caps.getDrop().contains("ALL")) {
            v.add("capabilities.drop does not contain ALL");
        }
        if (caps != null && !caps.getAdd().isEmpty()) {
            v.add("capabilities added: " + caps.getAdd());
        }
    })),

    SECCOMP_RUNTIME_DEFAULT(w -> eachContainer(w, (c, v) -> {
        var profile = Optional.ofNullable(containerContext(c).getSeccompProfile())
                .orElse(podContext(w).getSeccompProfile());
        if (profile == null || !"RuntimeDefault".equals(profile.getType())) {
            v.add("seccompProfile is not RuntimeDefault");
        }
    })),

    NO_PRIVILEGE_ESCALATION(w -> eachContainer(w, (c, v) -> {
        SecurityContext sc = containerContext(c);
        if (!Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
            v.add("allowPrivilegeEscalation is not false");
        }
        if (Boolean.TRUE.equals(sc.getPrivileged())) {
            v.add("privileged");
        }
    })),

    NO_HOST_ACCESS(w -> {
        List<String> v = new ArrayList<>();
        var spec = w.spec();
        if (Boolean.TRUE.equals(spec.getHostNetwork()) || Boolean.TRUE.equals(spec.getHostPID())
                || Boolean.TRUE.equals(spec.getHostIPC())) {
            v.add(w.id() + ": shares a host namespace");
        }
        spec.getVolumes().stream().filter(vol -> vol.getHostPath() != null)
                .forEach(vol -> v.add(w.id() + ": hostPath volume " + vol.getName()));
        return v;
    }),

    /** Only the components that call the Kubernetes API get a token, and they say so explicitly. */
    SERVICE_ACCOUNT_TOKEN_ONLY_WHERE_USED(w -> {
        String component = w.labels().get("app.kubernetes.io/component");
        boolean usesApi = Set.of("agent", "gateway").contains(component);
        Boolean automount = w.spec().getAutomountServiceAccountToken();
        if (usesApi && !Boolean.TRUE.equals(automount)) {
            return List.of(w.id() + ": calls the API but automountServiceAccountToken is not true");
        }
        if (!usesApi && !Boolean.FALSE.equals(automount)) {
            return List.of(w.id() + ": does not call the API but automountServiceAccountToken is not false");
        }
        return List.of();
    }),

    /** Long-running containers have liveness and readiness probes; the one-shot helm test pod has none. */
    PROBES(w -> w.helmTest() ? List.of() : eachContainer(w, (c, v) -> {
        if (c.getLivenessProbe() == null) {
            v.add("no livenessProbe");
        }
        if (c.getReadinessProbe() == null) {
            v.add("no readinessProbe");
        }
    })),

    IMAGE_PINNED(w -> eachContainer(w, (c, v) -> {
        String problem = Images.problem(c.getImage());
        if (problem != null) {
            v.add(problem);
        }
    })),

    MEMORY_BOUNDED(w -> eachContainer(w, (c, v) -> {
        var resources = c.getResources();
        if (resources == null || resources.getLimits() == null || !resources.getLimits().containsKey("memory")) {
            v.add("no memory limit");
        }
        if (resources == null || resources.getRequests() == null || !resources.getRequests().containsKey("cpu")) {
            v.add("no cpu request");
        }
    }));

    private final Function<Rendered.Workload, List<String>> check;

    PodRules(Function<Rendered.Workload, List<String>> check) {
        this.check = check;
    }

    List<String> violations(Rendered.Workload workload) {
        return check.apply(workload);
    }

    private interface ContainerCheck {
        void check(Container container, List<String> violations);
    }

    private static List<String> eachContainer(Rendered.Workload w, ContainerCheck check) {
        List<String> all = new ArrayList<>();
        List<Container> containers = new ArrayList<>(w.spec().getInitContainers());
        containers.addAll(w.spec().getContainers());
        for (Container c : containers) {
            List<String> found = new ArrayList<>();
            check.check(c, found);
            found.forEach(f -> all.add(w.id() + " container " + c.getName() + ": " + f));
        }
        return all;
    }

    private static PodSecurityContext podContext(Rendered.Workload w) {
        return Optional.ofNullable(w.spec().getSecurityContext()).orElseGet(PodSecurityContext::new);
    }

    private static SecurityContext containerContext(Container c) {
        return Optional.ofNullable(c.getSecurityContext()).orElseGet(SecurityContext::new);
    }

    private static Optional<Volume> volume(Rendered.Workload w, String name) {
        return w.spec().getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst();
    }
}
