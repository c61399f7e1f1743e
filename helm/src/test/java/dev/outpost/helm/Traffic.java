package dev.outpost.helm;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Evaluates NetworkPolicies the way Kubernetes does, for the cases the chart uses: is a connection
 * from one endpoint to another's port allowed by the egress policies of the source and the ingress
 * policies of the destination? A pod no policy selects for a direction is open in that direction.
 */
record Traffic(List<NetworkPolicy> policies, String namespace) {

    /** A pod (labels, namespace labels, named container ports) or an address outside the cluster. */
    record Endpoint(String name, Map<String, String> labels, Map<String, String> namespaceLabels,
                    String ip, Map<String, Integer> namedPorts) {

        static Endpoint pod(String name, Map<String, String> labels, String namespace, Map<String, Integer> namedPorts) {
            return new Endpoint(name, labels, Map.of("kubernetes.io/metadata.name", namespace), null, namedPorts);
        }

        static Endpoint address(String ip) {
            return new Endpoint(ip, null, null, ip, Map.of());
        }

        boolean isPod() {
            return labels != null;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    boolean allowed(Endpoint from, Endpoint to, int port, String protocol) {
        return direction(from, "Egress", policy -> policy.getSpec().getEgress().stream().anyMatch(rule ->
                        (rule.getTo().isEmpty() || rule.getTo().stream().anyMatch(peer -> peerMatches(peer, to)))
                                && portsMatch(rule.getPorts(), to, port, protocol)))
                && direction(to, "Ingress", policy -> policy.getSpec().getIngress().stream().anyMatch(rule ->
                        (rule.getFrom().isEmpty() || rule.getFrom().stream().anyMatch(peer -> peerMatches(peer, from)))
                                && portsMatch(rule.getPorts(), to, port, protocol)));
    }

    /** True when no policy of that type selects the endpoint, or one of those that do allows the connection. */
    private boolean direction(Endpoint endpoint, String type, Predicate<NetworkPolicy> allows) {
        if (!inNamespace(endpoint)) {
            return true;
        }
        List<NetworkPolicy> selecting = policies.stream()
                .filter(p -> p.getSpec().getPolicyTypes().contains(type))
                .filter(p -> matches(p.getSpec().getPodSelector(), endpoint.labels()))
                .toList();
        return selecting.isEmpty() || selecting.stream().anyMatch(p -> allows.test(p));
    }

    /** Whether any policy selects the endpoint for both directions. */
    boolean isolated(Endpoint endpoint) {
        return List.of("Ingress", "Egress").stream().allMatch(type -> policies.stream()
                .anyMatch(p -> p.getSpec().getPolicyTypes().contains(type) && matches(p.getSpec().getPodSelector(), endpoint.labels())));
    }

    private boolean inNamespace(Endpoint e) {
        return e.isPod() && namespace.equals(e.namespaceLabels().get("kubernetes.io/metadata.name"));
    }

    private boolean peerMatches(NetworkPolicyPeer peer, Endpoint e) {
        if (peer.getIpBlock() != null) {
            return !e.isPod() && Cidr.contains(peer.getIpBlock().getCidr(), e.ip())
                    && peer.getIpBlock().getExcept().stream().noneMatch(x -> Cidr.contains(x, e.ip()));
        }
        if (!e.isPod()) {
            return false;
        }
        if (peer.getNamespaceSelector() == null) {
            return inNamespace(e) && matches(peer.getPodSelector(), e.labels());
        }
        return matches(peer.getNamespaceSelector(), e.namespaceLabels())
                && (peer.getPodSelector() == null || matches(peer.getPodSelector(), e.labels()));
    }

    private static boolean portsMatch(List<NetworkPolicyPort> ports, Endpoint to, int port, String protocol) {
        return ports.isEmpty() || ports.stream().anyMatch(p -> {
            String proto = p.getProtocol() == null ? "TCP" : p.getProtocol();
            if (!proto.equals(protocol)) {
                return false;
            }
            IntOrString value = p.getPort();
            if (value == null) {
                return true;
            }
            if (value.getIntVal() != null) {
                return value.getIntVal() == port;
            }
            Integer named = to.namedPorts().get(value.getStrVal());
            return named != null && named == port;
        });
    }

    static boolean matches(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return true;
        }
        if (!selector.getMatchExpressions().isEmpty()) {
            throw new IllegalArgumentException("matchExpressions are not evaluated here: " + selector);
        }
        return selector.getMatchLabels().entrySet().stream()
                .allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
    }

    /** CIDR containment, IPv4 or IPv6; an address of the other family is not contained. */
    static final class Cidr {
        private Cidr() {
        }

        static boolean contains(String cidr, String ip) {
            String[] parts = cidr.split("/");
            byte[] network = bytes(parts[0]);
            byte[] address = bytes(ip);
            if (network.length != address.length) {
                return false;
            }
            int bits = Integer.parseInt(parts[1]);
            for (int i = 0; i < network.length && bits > 0; i++, bits -= 8) {
                int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
                if ((network[i] & mask) != (address[i] & mask)) {
                    return false;
                }
            }
            return true;
        }

        private static byte[] bytes(String literal) {
            try {
                return java.net.InetAddress.getByName(literal).getAddress(); // a literal: never looked up
            } catch (java.net.UnknownHostException e) {
                throw new IllegalArgumentException(literal, e);
            }
        }
    }
}
