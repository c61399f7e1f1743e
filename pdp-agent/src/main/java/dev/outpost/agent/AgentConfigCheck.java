package dev.outpost.agent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Validates {@link AgentConfig} at start, naming each bad key and what it expects. */
final class AgentConfigCheck {
  static final String LOCAL = "local";
  static final String KUBERNETES = "kubernetes";

  private AgentConfigCheck() {}

  static void validate(AgentConfig config) {
    List<String> problems = new ArrayList<>();
    if (!Set.of(LOCAL, KUBERNETES).contains(config.target())) {
      problems.add("outpost.agent.target: must be local or kubernetes, found \"" + config.target() + "\"");
    }
    String scheme = config.controlPlane().url().getScheme();
    if (!"ws".equals(scheme) && !"wss".equals(scheme)) {
      problems.add("outpost.agent.control-plane.url: must be ws:// or wss://, found " + config.controlPlane().url());
    } else if ("ws".equals(scheme) && !loopback(config.controlPlane().url().getHost())) {
      // the bearer token and every integration's source would cross the network in clear (PROTOCOL.md section 2)
      problems.add("outpost.agent.control-plane.url: ws:// is for a control plane on this machine (loopback) only; "
          + "use wss://, found " + config.controlPlane().url());
    }
    config.controlPlane().proxy().ifPresent(proxy -> {
      // Vert.x takes an unset port as -1 and refuses it only when the first connection is tried
      if (!"http".equals(proxy.getScheme()) || proxy.getHost() == null || proxy.getPort() < 0) {
        problems.add("outpost.agent.control-plane.proxy: must be http://host:port (user:password@ before the host "
            + "if the proxy asks for them), found " + withoutCredentials(proxy));
      }
      if ("ws".equals(scheme)) {
        // Vert.x sends loopback through the proxy too: the upgrade, bearer token included, would
        // reach the proxy in clear, and the proxy's own loopback
        problems.add("outpost.agent.control-plane.proxy: only with a wss:// control plane; ws:// would send the "
            + "bearer token to the proxy in clear");
      }
    });
    Duration ping = config.controlPlane().pingInterval();
    if (ping.isZero() || ping.isNegative()) {
      problems.add("outpost.agent.control-plane.ping-interval: must be positive");
    } else if (config.controlPlane().livenessTimeout().compareTo(ping.multipliedBy(2)) < 0) {
      problems.add("outpost.agent.control-plane.liveness-timeout: must be at least twice the ping interval ("
          + ping.multipliedBy(2) + ")");
    }
    if (!positive(config.resyncInterval())) {
      problems.add("outpost.agent.resync-interval: must be positive");
    }
    if (!positive(config.statusInterval())) {
      problems.add("outpost.agent.status-interval: must be positive");
    }
    if (!positive(config.applyRetry().firstInterval())) {
      problems.add("outpost.agent.apply-retry.first-interval: must be positive");
    } else if (config.applyRetry().maxInterval().compareTo(config.applyRetry().firstInterval()) < 0) {
      problems.add("outpost.agent.apply-retry.max-interval: must be at least first-interval ("
          + config.applyRetry().firstInterval() + ")");
    }
    // the Lease holds whole seconds, and a fifth of it is the retry period: below 2 s every replica
    // saw the Lease expired (leaders changing all the time), at 0 they asked the API server in a loop
    if (config.leaderElection().leaseDuration().compareTo(Duration.ofSeconds(2)) < 0) {
      problems.add("outpost.agent.leader-election.lease-duration: must be at least 2s, found "
          + config.leaderElection().leaseDuration());
    }
    // the API server refuses any other name, and fabric8's elector only logs it and retries: no
    // agent would ever lead, and nothing be applied
    String lease = config.leaderElection().leaseName();
    if (lease.length() > 253 || !lease.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      problems.add("outpost.agent.leader-election.lease-name: must be a DNS subdomain (lowercase letters, digits, '-'"
          + " and '.'), found \"" + lease + "\"");
    }
    if (config.audit().queueCapacity() < 1) {
      problems.add("outpost.agent.audit.queue-capacity: must be at least 1");
    }
    if (!config.dataPlane().matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")) {
      problems.add("outpost.agent.data-plane: must be a DNS-1123 label, found \"" + config.dataPlane() + "\"");
    }
    if (!problems.isEmpty()) {
      throw new IllegalStateException("invalid agent configuration: " + String.join("; ", problems));
    }
  }

  /** Whether {@code host} names this machine without a DNS lookup: localhost, 127.0.0.0/8 or ::1. */
  static boolean loopback(String host) {
    if (host == null) {
      return false;
    }
    if (host.equalsIgnoreCase("localhost") || host.equals("[::1]") || host.equals("::1")) {
      return true;
    }
    return host.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static boolean positive(Duration d) {
    return !d.isZero() && !d.isNegative();
  }

  /** The proxy as given, its password left out of the message. */
  private static String withoutCredentials(java.net.URI proxy) {
    String text = proxy.toString();
    return proxy.getRawUserInfo() == null ? text : text.replace(proxy.getRawUserInfo() + "@", "***@");
  }
}
