package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBackend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Services select pods of the release and reach ports those pods declare; Ingresses reach those Services. */
class ServicesTest {

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void everyServicePortLeadsToADeclaredContainerPort(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        for (Service service : rendered.all(Service.class)) {
            List<Rendered.Workload> selected = rendered.workloads().stream()
                    .filter(w -> !w.helmTest() && w.labels().entrySet().containsAll(service.getSpec().getSelector().entrySet()))
                    .toList();
            assertThat(selected).as(Rendered.id(service) + " selects pods").isNotEmpty();
            for (ServicePort port : service.getSpec().getPorts()) {
                for (Rendered.Workload workload : selected) {
                    List<ContainerPort> declared = workload.spec().getContainers().stream()
                            .flatMap(c -> c.getPorts().stream()).toList();
                    var target = port.getTargetPort();
                    assertThat(declared).as(Rendered.id(service) + " port " + port.getName() + " in " + workload.id())
                            .anyMatch(p -> target.getStrVal() != null ? target.getStrVal().equals(p.getName())
                                    : target.getIntVal().equals(p.getContainerPort()));
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void everyIngressBackendIsAServicePort(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        for (Ingress ingress : rendered.all(Ingress.class)) {
            List<IngressBackend> backends = ingress.getSpec().getRules().stream()
                    .flatMap(r -> r.getHttp().getPaths().stream()).map(p -> p.getBackend()).toList();
            assertThat(backends).as(Rendered.id(ingress)).isNotEmpty().allSatisfy(backend -> {
                Service service = rendered.get(Service.class, backend.getService().getName());
                assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort)
                        .contains(backend.getService().getPort().getNumber());
            });
        }
    }
}
