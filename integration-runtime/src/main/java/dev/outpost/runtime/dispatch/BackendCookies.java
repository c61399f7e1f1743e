package dev.outpost.runtime.dispatch;

import java.util.HashSet;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.http.base.HttpHeaderFilterStrategy;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.ObjectHelper;

/**
 * Keeps a backend's cookies out of an integration's answer. Camel's HTTP producer puts the backend's
 * response headers on the message, and platform-http writes every message header into its response:
 * a partner API's {@code Set-Cookie} (the integration's own session there) went to every caller of
 * the route. The values each backend call answered are recorded on the exchange, and the answer
 * leaves them out; the route still reads them, and a {@code Set-Cookie} it sets itself is sent.
 */
public final class BackendCookies extends EventNotifierSupport {

  static final String RECORDED = "outpost.backend.cookies";
  private static final Set<String> NAMES = Set.of("Set-Cookie", "Set-Cookie2");

  public BackendCookies() {
    setIgnoreCamelContextEvents(true);
    setIgnoreRouteEvents(true);
    setIgnoreServiceEvents(true);
    setIgnoreExchangeCreatedEvent(true);
    setIgnoreExchangeCompletedEvent(true);
    setIgnoreExchangeFailedEvents(true);
    setIgnoreExchangeRedeliveryEvents(true);
    setIgnoreExchangeSendingEvents(true);
    setIgnoreStepEvents(true);
    setIgnoreExchangeAsyncProcessingStartedEvents(true);
  }

  @Override
  public boolean isEnabled(CamelEvent event) {
    return event instanceof CamelEvent.ExchangeSentEvent;
  }

  @Override
  public void notify(CamelEvent event) {
    CamelEvent.ExchangeSentEvent sent = (CamelEvent.ExchangeSentEvent) event;
    String uri = sent.getEndpoint().getEndpointUri();
    if (!uri.startsWith("http:") && !uri.startsWith("https:")) {
      return;
    }
    Exchange exchange = sent.getExchange();
    for (String name : NAMES) {
      Object value = exchange.getMessage().getHeader(name); // Camel's headers ignore case
      if (value != null) {
        @SuppressWarnings("unchecked")
        Set<String> recorded = exchange.getProperty(RECORDED, Set.class);
        if (recorded == null) {
          recorded = new HashSet<>();
          exchange.setProperty(RECORDED, recorded);
        }
        for (Object one : ObjectHelper.createIterable(value, null, true)) {
          recorded.add(String.valueOf(one));
        }
      }
    }
  }

  /** platform-http's filter of what it writes into a response, less what a backend's Set-Cookie said. */
  public static final class ResponseFilter extends HttpHeaderFilterStrategy {
    @Override
    public boolean applyFilterToCamelHeaders(String name, Object value, Exchange exchange) {
      return super.applyFilterToCamelHeaders(name, value, exchange) || fromBackend(name, value, exchange);
    }

    private static boolean fromBackend(String name, Object value, Exchange exchange) {
      if (exchange == null || NAMES.stream().noneMatch(name::equalsIgnoreCase)) {
        return false;
      }
      Set<?> recorded = exchange.getProperty(RECORDED, Set.class);
      return recorded != null && recorded.contains(String.valueOf(value));
    }
  }
}
