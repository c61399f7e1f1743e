package dev.outpost.gateway.ratelimit;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionConfig;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MapConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import dev.outpost.gateway.config.GatewayConfig;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Vertx;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Starts this replica's embedded Hazelcast member (unless disabled) and holds the rate limiter
 * built on it. TCP-IP join on the configured members locally, Kubernetes discovery in the chart.
 */
@Singleton
public class RateLimiters {

  private static final Logger LOG = Logger.getLogger(RateLimiters.class);
  private static final long SWEEP_MILLIS = 10_000;
  /**
   * Counters a member owns at most (about: Hazelcast checks the size per partition): past it the least
   * recently used go, and their keys start the window afresh. Bounds what clients rotating keys can
   * fill the gateway's heap with. Hazelcast's per-member size counts owned entries only: with the
   * one backup a member holds about as many again of others' (at 2 members, 200,736 owned and 199,260
   * backups each, 64 MB of heap by Hazelcast's estimate).
   */
  static final int MAX_COUNTERS_PER_MEMBER = 200_000;

  private final GatewayConfig.Hazelcast config;
  private volatile HazelcastInstance hazelcast;
  private volatile LeasingRateLimiter limiter;

  RateLimiters(GatewayConfig config) {
    this.config = config.hazelcast();
  }

  void start(@Observes StartupEvent event, Vertx vertx) {
    if (config.enabled()) {
      hazelcast = Hazelcast.newHazelcastInstance(hazelcastConfig(config));
      limiter = new LeasingRateLimiter(new HazelcastCounterStore(hazelcast), config.leaseFraction());
      LOG.infof("rate limits are cluster-wide: Hazelcast member %s, %d members",
          hazelcast.getCluster().getLocalMember().getAddress(), hazelcast.getCluster().getMembers().size());
    } else {
      limiter = new LeasingRateLimiter(new LocalCounterStore(), config.leaseFraction());
      LOG.warn("Hazelcast disabled: rate limits are counted per replica");
    }
    // ended windows are dropped in the background: a scan on the request path cost every request
    // O(keys) once there were many
    vertx.setPeriodic(SWEEP_MILLIS, id -> vertx.executeBlocking(() -> {
      limiter.sweep();
      return null;
    }, false));
  }

  void stop(@Observes ShutdownEvent event) {
    if (hazelcast != null) {
      hazelcast.shutdown();
    }
  }

  /** Members of this replica's rate-limit cluster, itself included; 0 with Hazelcast disabled. */
  public int clusterMembers() {
    HazelcastInstance member = hazelcast;
    return member == null || !member.getLifecycleService().isRunning() ? 0 : member.getCluster().getMembers().size();
  }

  /** This replica's Hazelcast member; null with Hazelcast disabled or before it starts. */
  HazelcastInstance member() {
    return hazelcast;
  }

  public LeasingRateLimiter limiter() {
    return limiter;
  }

  /** The member configuration for {@code config}: also used by tests that start several members. */
  public static Config hazelcastConfig(GatewayConfig.Hazelcast config) {
    Config hz = new Config();
    hz.setClusterName(config.clusterName());
    hz.setClassLoader(RateLimiters.class.getClassLoader());
    hz.setProperty("hazelcast.phone.home.enabled", "false");
    hz.setProperty("hazelcast.logging.type", "jdk");
    hz.setProperty("hazelcast.shutdownhook.enabled", "false");
    // listen on the configured interface only; Hazelcast binds every interface by default, and its
    // member protocol has no authentication
    hz.setProperty("hazelcast.socket.bind.any", "false");
    hz.getNetworkConfig().setPort(config.port()).setPortAutoIncrement(false);
    hz.getNetworkConfig().getInterfaces().setEnabled(true).addInterface(config.host());
    hz.getNetworkConfig().setPublicAddress(config.host() + ":" + config.port());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    if (config.kubernetesDiscovery()) {
      join.getKubernetesConfig().setEnabled(true);
      // DNS lookup mode: the headless Service's records list the members, no API access needed
      config.kubernetesService().ifPresent(service -> join.getKubernetesConfig().setProperty("service-dns", service));
      // the records give addresses only: without this Hazelcast probes 5701 whatever port the members use
      join.getKubernetesConfig().setProperty("service-port", Integer.toString(config.port()));
    } else {
      List<String> members = config.members().orElse(List.of(config.host() + ":" + config.port()));
      join.getTcpIpConfig().setEnabled(true).setMembers(members);
    }
    hz.addMapConfig(new MapConfig(HazelcastCounterStore.MAP).setBackupCount(1).setAsyncBackupCount(0)
        .setEvictionConfig(new EvictionConfig().setEvictionPolicy(EvictionPolicy.LRU)
            .setMaxSizePolicy(MaxSizePolicy.PER_NODE).setSize(MAX_COUNTERS_PER_MEMBER)));
    return hz;
  }
}
