package dev.outpost.gateway.telemetry;

import dev.outpost.gateway.route.RouteTableHolder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The gateway's per-route Prometheus meters (management port), what Kong's Prometheus plugin and
 * Envoy's per-cluster stats give an operator:
 * <ul>
 *   <li>{@code outpost_gateway_requests_seconds{route, status}}: latency histogram by status class
 *       ({@code 2xx}), with {@link #LATENCY_BUCKETS} so that a route's p99 can be computed and
 *       alerted on;
 *   <li>{@code outpost_gateway_bytes_total{route, direction}}: body bytes read from clients
 *       ({@code ingress}) and written to them ({@code egress}), Kong's bandwidth;
 *   <li>{@code outpost_gateway_refusals_total{route, status}}: the answers the gateway gave itself
 *       rather than the integration (401, 429, 503 breaker open, 502 unreachable ...), by exact
 *       status, so that an integration's own 503 is not taken for the gateway's;
 *   <li>{@code outpost_gateway_responses_cut_total{route, by}}: responses cut after their head had
 *       gone ({@link ResponseCut}), by the integration or the client: counted under their status
 *       above, which alone would read as a success.
 * </ul>
 * Requests that matched no route count under {@code route="none"}. Labels are bounded: routes,
 * five status classes, the statuses the gateway answers. Meters are built once per route and
 * looked up without building a key; a route taken out of the table takes its series along (else
 * every integration ever removed stayed in each scrape until a restart).
 */
@Singleton
public class RouteMetrics {

  /** Prometheus' default buckets with the gateway's own millisecond range below and long routes above. */
  static final Duration[] LATENCY_BUCKETS = {
      Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10), Duration.ofSeconds(30), Duration.ofSeconds(60)};

  /** The route id of requests that matched none. */
  public static final String NO_ROUTE = "none";

  private final MeterRegistry registry;
  private final ConcurrentMap<String, Meters> routes = new ConcurrentHashMap<>();
  private final RouteTableHolder table;

  RouteMetrics(MeterRegistry registry, RouteTableHolder table) {
    this.registry = registry;
    this.table = table;
    table.onChange(next -> forgetRoutesNotIn(next.routeIds()));
  }

  /**
   * The meters of {@code route}, or null for a route no longer in the table: an exchange that began
   * before it was taken out ends after, and would register its series again until the next table.
   */
  private Meters meters(String route) {
    Meters meters = routes.get(route);
    if (meters != null) {
      return meters;
    }
    if (!route.equals(NO_ROUTE) && !table.current().routeIds().contains(route)) {
      return null;
    }
    Meters made = routes.computeIfAbsent(route, Meters::new);
    if (!route.equals(NO_ROUTE) && !table.current().routeIds().contains(route) && routes.remove(route, made)) {
      // the route was taken out between the check above and now, its forgetting run before these
      // meters were kept: they go as they would have then
      made.registered.forEach(registry::remove);
      return null;
    }
    return made;
  }

  /**
   * Drops the meters of routes no longer in the table; an exchange of such a route still under way
   * records nothing when it ends ({@link #meters}).
   */
  private void forgetRoutesNotIn(Set<String> kept) {
    for (String route : routes.keySet()) {
      if (!route.equals(NO_ROUTE) && !kept.contains(route)) {
        Meters gone = routes.remove(route);
        if (gone != null) {
          gone.registered.forEach(registry::remove);
        }
      }
    }
  }

  /**
   * Records one answered exchange.
   *
   * @param route the route's id, {@code none} when no route matched
   * @param refused whether the gateway answered it itself ({@link GatewayAnswer})
   */
  public void record(String route, int status, long nanos, long bytesIn, long bytesOut, boolean refused) {
    Meters meters = meters(route);
    if (meters == null) {
      return;
    }
    meters.requests(status).record(nanos, TimeUnit.NANOSECONDS);
    meters.ingress.add(bytesIn);
    meters.egress.add(bytesOut);
    if (refused) {
      meters.refusals(status).increment();
    }
  }

  /** Counts one response cut after its head had gone. */
  public void cut(String route, ResponseCut cut) {
    Meters meters = meters(route);
    if (meters != null) {
      meters.cuts(cut).increment();
    }
  }

  /** One route's meters. Two event loops may build the same meter at once: the registry hands both the one. */
  private final class Meters {

    private final String route;
    private final Timer[] requestsByClass = new Timer[10];
    private final Counter[] refusalsByStatus = new Counter[600];
    private final Counter[] cutsBy = new Counter[ResponseCut.values().length];
    // summed at scrape time: a Counter would sample an exemplar (the current trace) at each increment
    private final LongAdder ingress = new LongAdder();
    private final LongAdder egress = new LongAdder();
    /** What this route registered, to remove when it leaves the table. */
    private final Queue<Meter> registered = new ConcurrentLinkedQueue<>();

    /**
     * Keeps {@code meter} with the route's others; removes it again if the route left the table while
     * it was being made (fetched before, registered after), where no later table would find it.
     */
    private <M extends Meter> M kept(M meter) {
      registered.add(meter);
      if (routes.get(route) != this) {
        registry.remove(meter);
      }
      return meter;
    }

    Meters(String route) {
      this.route = route;
      bytes("ingress", ingress);
      bytes("egress", egress);
    }

    Timer requests(int status) {
      int statusClass = Math.floorMod(status / 100, 10);
      Timer timer = requestsByClass[statusClass];
      if (timer == null) {
        timer = Timer.builder("outpost.gateway.requests")
            .description("requests answered by the gateway, by route and status class")
            .tag("route", route).tag("status", statusClass + "xx")
            .serviceLevelObjectives(LATENCY_BUCKETS)
            .register(registry);
        kept(timer);
        requestsByClass[statusClass] = timer;
      }
      return timer;
    }

    Counter refusals(int status) {
      int index = Math.floorMod(status, refusalsByStatus.length);
      Counter counter = refusalsByStatus[index];
      if (counter == null) {
        counter = Counter.builder("outpost.gateway.refusals")
            .description("answers the gateway gave itself instead of the integration, by route and status")
            .tag("route", route).tag("status", Integer.toString(status))
            .register(registry);
        kept(counter);
        refusalsByStatus[index] = counter;
      }
      return counter;
    }

    Counter cuts(ResponseCut cut) {
      Counter counter = cutsBy[cut.ordinal()];
      if (counter == null) {
        counter = Counter.builder("outpost.gateway.responses.cut")
            .description("responses cut after their head had gone, by route and by whom (integration or client)")
            .tag("route", route).tag("by", cut.by())
            .register(registry);
        kept(counter);
        cutsBy[cut.ordinal()] = counter;
      }
      return counter;
    }

    private void bytes(String direction, LongAdder bytes) {
      // made in the constructor, before the map holds this route's meters: nothing to check yet
      registered.add(FunctionCounter.builder("outpost.gateway.bytes", bytes, LongAdder::sum)
          .description("body bytes read from clients (ingress) and written to them (egress), by route")
          .baseUnit("bytes")
          .tag("route", route).tag("direction", direction)
          .register(registry));
    }
  }
}
