package dev.outpost.runtime.dispatch;

import java.util.HashSet;
import java.util.Set;
import org.apache.camel.Exchange;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.apache.camel.support.ObjectHelper;

/**
 * Keeps a backend's cookies out of an integration's answer. Camel's HTTP producer puts the backend's
 * response headers on the message, and platform-http writes every message header into its response:
 * a partner API's {@code Set-Cookie} (the integration's own session there) went to every caller of
 * the route. The values each backend call added are recorded on the exchange (those on the message
 * before the call are the route's: Camel's HTTP producer copies them onto the answer), and the
 * answer leaves them out; the route still reads them, and a {@code Set-Cookie} it sets itself is sent.
 */
public final class BackendCookies extends EventNotifierSupport {

  static final String RECORDED = "outpost.backend.cookies";
  /** The values on the message as a backend call starts. */
  private static final String BEFORE_CALL = "outpost.backend.cookies.before";
  private static final Set<String> NAMES = Set.of("Set-Cookie", "Set-Cookie2");

  public BackendCookies() {
    BackendCalls.callsOnly(this);
  }

  @Override
  public boolean isEnabled(CamelEvent event) {
    return event instanceof CamelEvent.ExchangeSendingEvent || event instanceof CamelEvent.ExchangeSentEvent;
  }

  @Override
  public void notify(CamelEvent event) {
    CamelEvent.ExchangeEvent exchangeEvent = (CamelEvent.ExchangeEvent) event;
    if (!BackendCalls.overHttp(event instanceof CamelEvent.ExchangeSendingEvent sending ? sending.getEndpoint()
        : ((CamelEvent.ExchangeSentEvent) event).getEndpoint())) {
      return;
    }
    Exchange exchange = exchangeEvent.getExchange();
    if (event instanceof CamelEvent.ExchangeSendingEvent) {
      exchange.setProperty(BEFORE_CALL, cookies(exchange));
      return;
    }
    Set<String> added = cookies(exchange);
    @SuppressWarnings("unchecked")
    Set<String> before = exchange.getProperty(BEFORE_CALL, Set.class);
    if (before != null) {
      added.removeAll(before);
    }
    exchange.removeProperty(BEFORE_CALL);
    if (!added.isEmpty()) {
      @SuppressWarnings("unchecked")
      Set<String> recorded = exchange.getProperty(RECORDED, Set.class);
      if (recorded == null) {
        exchange.setProperty(RECORDED, added);
      } else {
        recorded.addAll(added);
      }
    }
  }

  /** The Set-Cookie values on the message now. */
  private static Set<String> cookies(Exchange exchange) {
    Set<String> values = new HashSet<>();
    for (String name : NAMES) {
      Object value = exchange.getMessage().getHeader(name); // Camel's headers ignore case
      if (value != null) {
        for (Object one : ObjectHelper.createIterable(value, null, true)) {
          values.add(String.valueOf(one));
        }
      }
    }
    return values;
  }

  /** Whether {@code name: value} is a Set-Cookie a backend call put on the exchange's message. */
  static boolean fromBackend(String name, Object value, Exchange exchange) {
    if (exchange == null || NAMES.stream().noneMatch(name::equalsIgnoreCase)) {
      return false;
    }
    Set<?> recorded = exchange.getProperty(RECORDED, Set.class);
    return recorded != null && recorded.contains(String.valueOf(value));
  }
}
