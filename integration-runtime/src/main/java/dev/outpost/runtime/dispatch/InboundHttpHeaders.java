package dev.outpost.runtime.dispatch;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.component.platform.http.vertx.HttpMessage;
import org.apache.camel.component.rest.RestEndpoint;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.RoutePolicySupport;

/**
 * Keeps the request a {@code platform-http} route received from steering the backend calls it
 * makes. Camel's HTTP producer reads {@code CamelHttpUri}, {@code CamelHttpPath},
 * {@code CamelHttpQuery} and {@code CamelHttpMethod} from the message, so without this a route
 * {@code platform-http:/a → to: http://backend/b} calls {@code /b/a?<client query>} with the client's
 * method. These headers are removed before every {@code http(s):} and {@code rest:} call while they
 * still hold the inbound values (but for a {@code rest:} call those its {@code {placeholders}} name,
 * which it fills from headers), with the gateway's {@code X-Outpost-Integration} and {@code X-Outpost-Route}, the
 * client's credentials, identity and address ({@link #clientOnly}) and the headers Camel made from
 * the query and form fields; a value the route set itself is kept. Routes also see their public path in
 * {@code CamelHttpPath}/{@code CamelHttpUri}/{@code CamelHttpUrl}, not the internal versioned one (a
 * link a route built from {@code CamelHttpUrl} answered 404 and changed with every deploy).
 */
public final class InboundHttpHeaders extends EventNotifierSupport implements RoutePolicyFactory {

  static final String INBOUND = "outpost.inbound.http";
  // and the gateway's routing of this request: sent on to another integration, its
  // X-Outpost-Integration made the runtime refuse the call (HttpDispatcher) as routed elsewhere
  static final List<String> HEADERS = List.of(Exchange.HTTP_URI, Exchange.HTTP_URL, Exchange.HTTP_PATH, Exchange.HTTP_QUERY,
      Exchange.HTTP_RAW_QUERY, Exchange.HTTP_METHOD, HttpDispatcher.ROUTED_TO, "X-Outpost-Route");

  public InboundHttpHeaders() {
    BackendCalls.callsOnly(this);
    setIgnoreExchangeSentEvents(true);
  }

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode route) {
    return AnsweredExchanges.isHttpRoute(route) ? new RecordInbound() : null;
  }

  @Override
  public boolean isEnabled(CamelEvent event) {
    return event instanceof CamelEvent.ExchangeSendingEvent;
  }

  @Override
  public void notify(CamelEvent event) {
    CamelEvent.ExchangeSendingEvent sending = (CamelEvent.ExchangeSendingEvent) event;
    if (!BackendCalls.overHttp(sending.getEndpoint())) {
      return;
    }
    Exchange exchange = sending.getExchange();
    @SuppressWarnings("unchecked")
    Map<String, Object> inbound = exchange.getProperty(INBOUND, Map.class);
    if (inbound == null) {
      return;
    }
    // a rest: call fills its {placeholders} from headers, the query's among them: those stay
    Set<String> placeholders = sending.getEndpoint() instanceof RestEndpoint rest ? placeholders(rest) : Set.of();
    for (Map.Entry<String, Object> header : inbound.entrySet()) {
      if (placeholders.contains(header.getKey().toLowerCase(Locale.ROOT)) && !clientOnly(header.getKey())
          && !HEADERS.contains(header.getKey())) {
        continue;
      }
      if (Objects.equals(exchange.getMessage().getHeader(header.getKey()), header.getValue())) {
        exchange.getMessage().removeHeader(header.getKey());
      }
    }
  }

  /** The names, lower case, of a rest: call's {@code {placeholders}} in its path, template and query. */
  static Set<String> placeholders(RestEndpoint rest) {
    Set<String> names = new HashSet<>();
    for (String text : new String[] {rest.getPath(), rest.getUriTemplate(), rest.getQueryParameters()}) {
      if (text != null) {
        Matcher placeholder = PLACEHOLDER.matcher(text);
        while (placeholder.find()) {
          names.add(placeholder.group(1).toLowerCase(Locale.ROOT));
        }
      }
    }
    return names;
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{([^{}?]+)\\??}");

  /**
   * A path, or {@code CamelHttpUrl}'s absolute URL ({@code http://host/_outpost/x/g3/a?q}), with its
   * internal prefix taken out; other headers (the query) as they are.
   */
  static String publicForm(String header, String text) {
    if (text.startsWith(HttpDispatcher.INTERNAL_ROOT)) {
      return HttpDispatcher.publicPath(text);
    }
    if (!Exchange.HTTP_URL.equals(header)) {
      return text;
    }
    int authority = text.indexOf("://");
    int path = authority < 0 ? -1 : text.indexOf('/', authority + 3);
    if (path > 0 && text.startsWith(HttpDispatcher.INTERNAL_ROOT, path)) {
      return text.substring(0, path) + HttpDispatcher.publicPath(text.substring(path));
    }
    return text;
  }

  /**
   * The client's cookies, identity and address: a backend is another party, often a third one, and
   * Camel's HTTP producer sends every message header. A route that means to pass one on sets it
   * under a header of its own (or the same header with another value). Not {@code Authorization}:
   * the gateway removes a verified token unless the route forwards it, and a route forwards it to
   * call its backends as the caller.
   */
  static boolean clientOnly(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return CLIENT_ONLY.contains(lower) || RequestHeaderEchoFilter.PREFIXES.stream().anyMatch(lower::startsWith);
  }

  private static final Set<String> CLIENT_ONLY = Set.of("proxy-authorization", "cookie", "x-api-key", "forwarded",
      "x-real-ip");

  /**
   * The names, lower case, of the query's parameters and of an urlencoded or multipart form's fields:
   * platform-http makes message headers of both.
   */
  static Set<String> parameterNames(Exchange exchange) {
    Set<String> names = new HashSet<>();
    if (exchange.getMessage() instanceof HttpMessage http) {
      // as Vert.x parsed them, which is what platform-http copies
      http.getRequest().params().names().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
      http.getRequest().formAttributes().names().forEach(name -> names.add(name.toLowerCase(Locale.ROOT)));
    }
    return names;
  }


  /** Records the inbound values, with the internal prefix taken out of the path, URI and URL. */
  private static final class RecordInbound extends RoutePolicySupport {
    @Override
    public void onExchangeBegin(Route route, Exchange exchange) {
      if (exchange.getProperty(INBOUND) != null) {
        return;
      }
      Map<String, Object> inbound = new HashMap<>();
      // the client's credentials, identity and address, and headers made from its query and form
      Set<String> parameterNames = parameterNames(exchange);
      exchange.getMessage().getHeaders().forEach((name, value) -> {
        if (value != null && (clientOnly(name) || parameterNames.contains(name.toLowerCase(Locale.ROOT)))) {
          inbound.put(name, value);
        }
      });
      for (String name : HEADERS) {
        Object value = exchange.getMessage().getHeader(name);
        if (value instanceof String text) {
          String shown = publicForm(name, text);
          if (!shown.equals(text)) {
            value = shown;
            exchange.getMessage().setHeader(name, value);
          }
        }
        if (value != null) {
          inbound.put(name, value);
        }
      }
      exchange.setProperty(INBOUND, inbound);
    }
  }
}
