package dev.outpost.runtime.telemetry;

import dev.outpost.runtime.dispatch.AnsweredExchanges;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Per-integration metrics on the management port's Prometheus endpoint, counted once per exchange
 * at the integration's entry routes (not again in the {@code direct:} routes they call):
 * {@code outpost_integration_exchanges_total}, {@code outpost_integration_failures_total} and
 * {@code outpost_integration_exchange_seconds}, tagged {@code project}, {@code integration},
 * {@code version}.
 */
public final class IntegrationMetrics implements RoutePolicyFactory {

  private final MeterRegistry registry;

  public IntegrationMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode node) {
    String uri = node instanceof RouteDefinition route && route.getInput() != null
        ? Objects.toString(route.getInput().getEndpointUri(), "") : "";
    if (uri.startsWith("direct:") || uri.startsWith("seda:")) {
      return null;
    }
    return IntegrationIdentities.find(routeId + ".").<RoutePolicy>map(identity -> {
      Tags tags = Tags.of("project", identity.project(), "integration", identity.integration(),
          "version", identity.version());
      return new Count(
          Counter.builder("outpost.integration.exchanges").tags(tags).register(registry),
          Counter.builder("outpost.integration.failures").tags(tags).register(registry),
          Timer.builder("outpost.integration.exchange").tags(tags).register(registry));
    }).orElse(null);
  }

  private static final class Count extends RoutePolicySupport {
    private final Counter exchanges;
    private final Counter failures;
    private final Timer latency;

    Count(Counter exchanges, Counter failures, Timer latency) {
      this.exchanges = exchanges;
      this.failures = failures;
      this.latency = latency;
    }

    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
      exchanges.increment();
      if (exchange.isFailed() || isHttpError(exchange)) {
        failures.increment();
      }
      latency.record(Duration.ofMillis(exchange.getClock().elapsed()));
    }

    /** The route answered 5xx, or its client got a 504 because it did not answer in time. */
    private static boolean isHttpError(Exchange exchange) {
      Integer code = exchange.getMessage().getHeader(Exchange.HTTP_RESPONSE_CODE, Integer.class);
      return (code != null && code >= 500) || AnsweredExchanges.answeredWithServerError(exchange);
    }
  }
}
