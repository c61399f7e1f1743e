package dev.outpost.runtime.dispatch;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Gives an HTTP route ({@code platform-http} or REST DSL) the gateway's identity and forwarding headers ({@code
 * X-Outpost-*}, {@code X-Forwarded-*}, {@code Forwarded}) exactly as the HTTP request carried them.
 * Camel copies query parameters and form fields into message headers too, under their own names, so
 * {@code ?X-Outpost-Subject=admin} made {@code ${header.X-Outpost-Subject}} read {@code admin} on a
 * public route (a list {@code [alice, admin]} on an authenticated one): the client named itself
 * past the gateway, which strips such headers but not query parameters. Such a message header is
 * replaced by the request's header of that name, or removed when the request has none.
 */
public final class GatewayOwnedHeaders implements RoutePolicyFactory {

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
    return AnsweredExchanges.isHttpRoute(route) ? new FromTheRequestOnly() : null;
  }

  static boolean gatewayOwned(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.startsWith("x-outpost-") || lower.startsWith("x-forwarded-") || lower.equals("forwarded");
  }

  private static final class FromTheRequestOnly extends RoutePolicySupport {
    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
      if (!(exchange.getMessage() instanceof HttpMessage http) || http.getRequest() == null) {
        return;
      }
      Message message = exchange.getMessage();
      for (String name : new ArrayList<>(message.getHeaders().keySet())) {
        if (!gatewayOwned(name)) {
          continue;
        }
        List<String> sent = http.getRequest().headers().getAll(name);
        if (sent.isEmpty()) {
          message.removeHeader(name);
        } else {
          message.setHeader(name, sent.size() == 1 ? sent.get(0) : new ArrayList<>(sent));
        }
      }
    }
  }
}
