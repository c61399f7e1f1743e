package dev.outpost.runtime.dispatch;

import io.vertx.core.http.HttpServerResponse;
import java.util.Objects;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.model.RouteDefinition;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Tells an exchange whose HTTP client has been answered already (504 by {@link RequestTimeout})
 * from one a client still waits for. Each exchange an HTTP request starts keeps the response it
 * owes; once that response has ended while the exchange still runs, nobody waits for the exchange:
 * a drain does not wait for it, and the metrics count what its client got. One that had not begun
 * when its client was answered (it waited for a worker thread) does not run at all.
 */
public final class AnsweredExchanges implements RoutePolicyFactory {

  static final String RESPONSE = "outpost.http.response";

  /**
   * The response an exchange owes, with that exchange's id: Camel copies properties into every copy
   * it makes (a wireTap's, a message put on a {@code seda:} queue), and a copy owes nothing. Taken
   * for answered, a copy's work was cut off by a drain, which waits only for unanswered exchanges.
   */
  private record Owed(String exchangeId, HttpServerResponse response) {}

  private static HttpServerResponse owedBy(Exchange exchange) {
    return exchange.getProperty(RESPONSE) instanceof Owed owed && owed.exchangeId().equals(exchange.getExchangeId())
        ? owed.response() : null;
  }

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode node) {
    return isHttpRoute(node) ? new RecordResponse() : null;
  }

  /** Whether the route starts from an HTTP request ({@code platform-http:} or the REST DSL). */
  static boolean isHttpRoute(NamedNode node) {
    String uri = node instanceof RouteDefinition route && route.getInput() != null
        ? Objects.toString(route.getInput().getEndpointUri(), "") : "";
    return uri.startsWith("platform-http:") || uri.startsWith("rest:");
  }

  /**
   * Whether the client of {@code exchange} has its response, from the runtime rather than from the
   * exchange, which runs on. Always false for an exchange no HTTP request started.
   */
  public static boolean answered(Exchange exchange) {
    HttpServerResponse response = owedBy(exchange);
    return response != null && response.ended();
  }

  /** Whether {@link #answered} holds and the client got a 5xx. */
  public static boolean answeredWithServerError(Exchange exchange) {
    return answered(exchange) && owedBy(exchange).getStatusCode() >= 500;
  }

  private static final class RecordResponse extends RoutePolicySupport {
    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
      if (exchange.getProperty(RESPONSE) != null || !(exchange.getIn() instanceof HttpMessage message)) {
        return;
      }
      exchange.setProperty(RESPONSE, new Owed(exchange.getExchangeId(), message.getResponse()));
      if (message.getResponse().ended()) {
        exchange.setRouteStop(true);
      }
    }

    /**
     * A failed exchange is answered 500, not with the status a backend call left on the message
     * ({@code CamelHttpResponseCode}), which Camel prefers: a route failing after a call that
     * succeeded answered 200 with an empty body, and the gateway's breaker counted a success.
     */
    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
      if (exchange.getException() != null) {
        exchange.getMessage().removeHeader(Exchange.HTTP_RESPONSE_CODE);
      }
    }
  }
}
