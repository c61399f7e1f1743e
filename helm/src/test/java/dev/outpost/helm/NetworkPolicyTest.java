package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The NetworkPolicies deny everything, then allow what the architecture needs and nothing more:
 * checked as connections between the pods the chart renders, the integration pods the agent creates
 * (labelled from runtime.json) and addresses outside the cluster.
 */
class NetworkPolicyTest {

    private static final String API_SERVER = "api-server";
    private static final String CONTROL_PLANE = "control-plane";

    /** The endpoints of one scenario, by name. */
    static Map<String, Traffic.Endpoint> endpoints(Rendered rendered) {
        Map<String, Traffic.Endpoint> endpoints = new LinkedHashMap<>();
        for (Rendered.Workload w : rendered.workloads()) {
            Map<String, Integer> ports = w.spec().getContainers().stream().flatMap(c -> c.getPorts().stream())
                    .collect(Collectors.toMap(ContainerPort::getName, ContainerPort::getContainerPort));
            String component = w.labels().get("app.kubernetes.io/component");
            endpoints.put(component, Traffic.Endpoint.pod(component, w.labels(), Chart.NAMESPACE, ports));
        }
        rendered.runtimeTemplate().ifPresent(runtime -> {
            @SuppressWarnings("unchecked")
            Map<String, String> labels = (Map<String, String>) runtime.get("podLabels");
            endpoints.put("integration", Traffic.Endpoint.pod("integration", labels, Chart.NAMESPACE, Map.of()));
        });
        // An integration pod with only the labels every agent-created pod carries (ARCHITECTURE.md).
        if (rendered.runtimeTemplate().isPresent()) {
            endpoints.put("bare-integration", Traffic.Endpoint.pod("bare-integration", Map.of(
                    "app.kubernetes.io/managed-by", "outpost-agent", "app.kubernetes.io/component", "integration",
                    "outpost.dev/integration", "orders"), Chart.NAMESPACE, Map.of()));
        }
        endpoints.put("neighbour", Traffic.Endpoint.pod("neighbour", Map.of("app", "billing"), Chart.NAMESPACE, Map.of()));
        endpoints.put("other-namespace", Traffic.Endpoint.pod("other-namespace", Map.of("app", "shop"), "shop", Map.of()));
        endpoints.put("kube-dns", Traffic.Endpoint.pod("kube-dns", Map.of("k8s-app", "kube-dns"), "kube-system", Map.of()));
        // OpenShift's DNS pods carry its DNS operator's label, not k8s-app.
        endpoints.put("openshift-dns", Traffic.Endpoint.pod("openshift-dns",
                Map.of("dns.operator.openshift.io/daemonset-dns", "default"), "openshift-dns", Map.of()));
        endpoints.put("ingress-controller", Traffic.Endpoint.pod("ingress-controller",
                Map.of("app", "ingress-nginx"), "ingress-nginx", Map.of()));
        // Prometheus, in the namespace everything-values.yaml's networkPolicy.metricsFrom admits.
        endpoints.put("prometheus", Traffic.Endpoint.pod("prometheus",
                Map.of("app.kubernetes.io/name", "prometheus"), "monitoring", Map.of()));
        // The same Prometheus pod in a namespace the metricsFrom peer does not select.
        endpoints.put("stray-prometheus", Traffic.Endpoint.pod("stray-prometheus",
                Map.of("app.kubernetes.io/name", "prometheus"), "monitoring-staging", Map.of()));
        endpoints.put("internet", Traffic.Endpoint.address("203.0.113.9"));
        endpoints.put("cloud-metadata", Traffic.Endpoint.address("169.254.169.254"));
        endpoints.put("alibaba-metadata", Traffic.Endpoint.address("100.100.100.200"));
        // Azure's WireServer: VM agent configuration and the node's extension settings
        endpoints.put("azure-wireserver", Traffic.Endpoint.address("168.63.129.16"));
        endpoints.put("aws-metadata-v6", Traffic.Endpoint.address("fd00:ec2::254"));
        endpoints.put("google-metadata-v6", Traffic.Endpoint.address("fd20:ce::254"));
        endpoints.put("node-local-dns", Traffic.Endpoint.address("169.254.20.10"));
        endpoints.put(API_SERVER, Traffic.Endpoint.address("10.0.0.1"));
        endpoints.put(CONTROL_PLANE, Traffic.Endpoint.address("198.51.100.10"));
        return endpoints;
    }

    static Arguments allow(String scenario, String from, String to, int port) {
        return Arguments.of(scenario, from, to, port, true);
    }

    static Arguments deny(String scenario, String from, String to, int port) {
        return Arguments.of(scenario, from, to, port, false);
    }

    static Stream<Arguments> connections() {
        String d = "defaults-values.yaml";
        String e = "everything-values.yaml";
        String o = "openshift-values.yaml";
        return Stream.of(
                // API consumers reach the gateway, and nothing else of the data plane.
                allow(d, "internet", "gateway", 8080),
                deny(d, "internet", "gateway", 9000),
                deny(d, "internet", "gateway", 5701),
                deny(d, "internet", "integration", 8080),
                deny(d, "internet", "agent", 8083),
                deny(d, "internet", "agent", 9003),
                deny(d, "internet", "observability", 4318),
                // The browser console queries observability-api.
                allow(d, "internet", "observability", 8082),
                deny(d, "internet", "observability", 9002),
                // OTLP from the namespace only.
                allow(d, "neighbour", "observability", 4318),
                allow(d, "gateway", "observability", 4318),
                allow(d, "agent", "observability", 4318),
                allow(d, "integration", "observability", 4318),
                deny(d, "other-namespace", "observability", 4318),
                // The gateway: its integrations, its Hazelcast peers, the routes ConfigMap; no other egress.
                allow(d, "gateway", "integration", 8080),
                deny(d, "gateway", "integration", 9001),
                allow(d, "gateway", "gateway", 5701),
                allow(d, "gateway", API_SERVER, 443),
                allow(d, "gateway", "kube-dns", 53),
                deny(d, "gateway", "internet", 5432),
                deny(d, "gateway", "agent", 9003),
                deny(d, "neighbour", "gateway", 5701),
                // Integrations are reached through the gateway only.
                deny(d, "neighbour", "integration", 8080),
                deny(d, "observability", "integration", 8080),
                allow(d, "integration", "kube-dns", 53),
                // what they call, anywhere but the node's cloud credentials
                allow(d, "integration", "internet", 443),
                deny(d, "integration", "cloud-metadata", 80),
                deny(d, "integration", "alibaba-metadata", 80),
                deny(d, "integration", "azure-wireserver", 80),
                deny(d, "integration", "azure-wireserver", 32526),
                deny(d, "integration", "aws-metadata-v6", 80),
                deny(d, "integration", "google-metadata-v6", 80),
                allow(d, "gateway", "bare-integration", 8080),
                allow(d, "agent", "bare-integration", 9001),
                deny(d, "internet", "bare-integration", 8080),
                deny(d, "neighbour", "bare-integration", 8080),
                // The agent: the control plane, the API server, status from the gateway and integrations.
                allow(d, "agent", CONTROL_PLANE, 443),
                allow(d, "agent", API_SERVER, 443),
                allow(d, "agent", API_SERVER, 6443),
                allow(d, "agent", "integration", 9001),
                allow(d, "agent", "gateway", 9000),
                allow(d, "agent", "kube-dns", 53),
                deny(d, "agent", "internet", 80),
                deny(d, "agent", "integration", 8080),
                deny(d, "neighbour", "agent", 9003),
                // observability-api members gather queries from each other.
                allow(d, "observability", "observability", 8082),
                deny(d, "observability", "internet", 80),
                // helm test reaches the management ports only.
                allow(d, "test", "gateway", 9000),
                allow(d, "test", "observability", 9002),
                deny(d, "test", "gateway", 8080),
                deny(d, "test", "internet", 443),
                // Narrowed by values: the ingress controller only, the control plane and API server addresses only.
                allow(e, "gateway", "node-local-dns", 53),
                allow(e, "agent", "node-local-dns", 53),
                deny(e, "gateway", "node-local-dns", 80),
                deny(d, "gateway", "node-local-dns", 53),
                deny(e, "integration", "cloud-metadata", 80),
                allow(e, "ingress-controller", "gateway", 8080),
                deny(e, "internet", "gateway", 8080),
                allow(e, "agent", CONTROL_PLANE, 443),
                deny(e, "agent", "internet", 443),
                allow(e, "agent", API_SERVER, 443),
                deny(e, "agent", API_SERVER, 6443),
                deny(e, "gateway", "internet", 9000),
                // networkPolicy.metricsFrom (everything: the monitoring namespace) scrapes the management ports...
                allow(e, "prometheus", "gateway", 9000),
                allow(e, "prometheus", "integration", 9001),
                allow(e, "prometheus", "bare-integration", 9001),
                allow(e, "prometheus", "observability", 9002),
                allow(e, "prometheus", "agent", 9003),
                // ...and nothing else of the release.
                deny(e, "prometheus", "gateway", 8080),
                deny(e, "prometheus", "gateway", 5701),
                deny(e, "prometheus", "integration", 8080),
                deny(e, "prometheus", "observability", 4318),
                deny(e, "prometheus", "agent", 8083),
                // The query port is open to every source while observability.networkPolicy.queryFrom is empty
                // (browsers come through the ingress); metricsFrom neither opens nor narrows it.
                allow(e, "prometheus", "observability", 8082),
                // Pods the metricsFrom peer does not select: another namespace, the release's own namespace.
                deny(e, "stray-prometheus", "gateway", 9000),
                deny(e, "stray-prometheus", "integration", 9001),
                deny(e, "stray-prometheus", "observability", 9002),
                deny(e, "stray-prometheus", "agent", 9003),
                deny(e, "other-namespace", "integration", 9001),
                deny(e, "neighbour", "gateway", 9000),
                deny(e, "neighbour", "integration", 9001),
                deny(e, "neighbour", "agent", 9003),
                // No metricsFrom peer by default: monitoring reaches no management port (the helm test pod alone does).
                deny(d, "prometheus", "gateway", 9000),
                deny(d, "prometheus", "integration", 9001),
                deny(d, "prometheus", "bare-integration", 9001),
                deny(d, "prometheus", "observability", 9002),
                deny(d, "prometheus", "agent", 9003),
                // OpenShift, set as the README says: its DNS pods only (the chart's kube-dns default merged in
                // made every pod's lookups fail), on their port.
                allow(o, "gateway", "openshift-dns", 5353),
                allow(o, "agent", "openshift-dns", 5353),
                allow(o, "integration", "openshift-dns", 5353),
                deny(o, "gateway", "openshift-dns", 53),
                deny(o, "gateway", "kube-dns", 53),
                deny(d, "gateway", "openshift-dns", 5353));
    }

    @ParameterizedTest(name = "{0}: {1} -> {2}:{3} allowed={4}")
    @MethodSource("connections")
    void connection(String scenario, String from, String to, int port, boolean allowed) {
        Rendered rendered = Chart.render(Chart.CI.resolve(scenario));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);
        String protocol = port == 53 ? "UDP" : "TCP";

        assertThat(traffic.allowed(endpoints.get(from), endpoints.get(to), port, protocol)).isEqualTo(allowed);
    }


    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void everyPodOfTheReleaseIsIsolatedAndMayResolveNames(Path scenario) {
        Rendered rendered = Chart.render(scenario);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        List<String> ours = endpoints.keySet().stream()
                .filter(name -> endpoints.get(name).isPod() && (endpoints.get(name).labels().containsKey("app.kubernetes.io/instance")
                        || name.equals("bare-integration")))
                .toList();

        boolean openShift = scenario.getFileName().toString().startsWith("openshift");
        Traffic.Endpoint dns = endpoints.get(openShift ? "openshift-dns" : "kube-dns");
        int dnsPort = openShift ? 5353 : 53;

        assertThat(ours).as("pods of the release").isNotEmpty();
        for (String name : ours) {
            assertThat(traffic.isolated(endpoints.get(name))).as(name + " is selected for ingress and egress").isTrue();
            assertThat(traffic.allowed(endpoints.get(name), dns, dnsPort, "UDP")).as(name + " DNS/UDP").isTrue();
            assertThat(traffic.allowed(endpoints.get(name), dns, dnsPort, "TCP")).as(name + " DNS/TCP").isTrue();
            assertThat(traffic.allowed(endpoints.get("neighbour"), endpoints.get(name), 9999, "TCP"))
                    .as("an unlisted port of " + name).isFalse();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource(Chart.SCENARIOS)
    void theDefaultDenyCoversTheWholeRelease(Path scenario) {
        NetworkPolicy deny = Chart.render(scenario).get(NetworkPolicy.class, "acme-outpost-default-deny");

        assertThat(deny.getSpec().getPodSelector().getMatchLabels())
                .containsExactlyInAnyOrderEntriesOf(Map.of("app.kubernetes.io/instance", "acme", "app.kubernetes.io/part-of", "outpost"));
        assertThat(deny.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
        assertThat(deny.getSpec().getIngress()).isEmpty();
        assertThat(deny.getSpec().getEgress()).isEmpty();
    }

    /** With agent.controlPlaneProxy the agent may reach the proxy's port; before, 443 only, so it could never connect. */
    @Test
    void theAgentMayReachTheProxyItIsGiven() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"),
                Map.of("agent.controlPlaneProxy", "http://user:secret@proxy.corp.example:3128"));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get("internet"), 3128, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("gateway"), endpoints.get("internet"), 3128, "TCP")).isFalse();
        Rendered direct = Chart.render(Chart.CI.resolve("defaults-values.yaml"));
        assertThat(new Traffic(direct.all(NetworkPolicy.class), Chart.NAMESPACE)
                .allowed(endpoints(direct).get("agent"), endpoints(direct).get("internet"), 3128, "TCP")).isFalse();
    }

    /**
     * An integration reaches the systems it calls in other namespaces (a database, a broker) on CNIs
     * that apply address ranges to no pod, Cilium's among them; this model reads ipBlock so. Before,
     * the default allowed address ranges only.
     */
    @Test
    void integrationsReachServicesInOtherNamespaces() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("integration"), endpoints.get("other-namespace"), 5432, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("integration"), endpoints.get("cloud-metadata"), 80, "TCP")).isFalse();
    }

    /** Emptied so the agent leaves through its proxy only: before, a bare {@code []} broke the YAML of the install. */
    @Test
    void theAgentMayBeLeftWithItsProxyAlone() throws java.io.IOException {
        java.nio.file.Path values = java.nio.file.Files.createTempFile("proxy-only-", "-values.yaml");
        java.nio.file.Files.writeString(values, Yaml.write(Yaml.deepMerge(Yaml.read(Chart.CI.resolve("defaults-values.yaml")),
                Map.of("agent", Map.of("controlPlaneProxy", "http://proxy.corp.example:3128",
                        "networkPolicy", Map.of("controlPlaneEgress", java.util.List.of()))))));
        Rendered rendered = Chart.render(values);
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get("internet"), 3128, "TCP")).isTrue();
    }

    /**
     * The port of the URL the chart is given is opened, in each rule of the egress value that names
     * ports: before, 443 only, so a control plane or an identity provider on 8443 was silently unreachable.
     */
    @Test
    void theAgentAndObservabilityReachThePortsOfTheirUrls() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "controlPlane.url", "wss://cp.example.com:8443/v1/connect",
                "observability.queryAuth.jwksUrl", "https://kc.idp.svc:8444/realms/acme/protocol/openid-connect/certs"));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get(CONTROL_PLANE), 8443, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get(CONTROL_PLANE), 443, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("observability"), endpoints.get("internet"), 8444, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("gateway"), endpoints.get("internet"), 8443, "TCP")).isFalse();
        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get("internet"), 8444, "TCP")).isFalse();
    }

    /** A plain ws:// or http:// URL without a port is port 80. */
    @Test
    void aUrlWithoutAPortIsItsSchemesPort() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "observability.queryAuth.jwksUrl", "http://keycloak.idp.svc/realms/acme/protocol/openid-connect/certs"));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("observability"), endpoints.get("other-namespace"), 80, "TCP")).isTrue();
    }

    /** A rule narrowed to the control plane's addresses stays narrowed: the URL's port is added to it, not opened anywhere. */
    @Test
    void theUrlsPortKeepsTheAddressesOfTheRule() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of(
                "controlPlane.url", "wss://cp.example.com:8443/v1/connect",
                "agent.networkPolicy.controlPlaneEgress[0].to[0].ipBlock.cidr", "198.51.100.0/24",
                "agent.networkPolicy.controlPlaneEgress[0].ports[0].port", "443"));
        Map<String, Traffic.Endpoint> endpoints = endpoints(rendered);
        Traffic traffic = new Traffic(rendered.all(NetworkPolicy.class), Chart.NAMESPACE);

        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get(CONTROL_PLANE), 8443, "TCP")).isTrue();
        assertThat(traffic.allowed(endpoints.get("agent"), endpoints.get("internet"), 8443, "TCP")).isFalse();
    }

    @Test
    void theyCanBeTurnedOff() {
        Rendered rendered = Chart.render(Chart.CI.resolve("defaults-values.yaml"), Map.of("networkPolicy.enabled", "false"));

        assertThat(rendered.all(NetworkPolicy.class)).isEmpty();
    }
}
