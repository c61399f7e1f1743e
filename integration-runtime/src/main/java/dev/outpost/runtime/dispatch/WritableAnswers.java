package dev.outpost.runtime.dispatch;

import java.nio.charset.StandardCharsets;
import org.apache.camel.CamelContext;
import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.NamedNode;
import org.apache.camel.Route;
import org.apache.camel.spi.RoutePolicy;
import org.apache.camel.spi.RoutePolicyFactory;
import org.apache.camel.support.RoutePolicySupport;
import org.jboss.logging.Logger;

/**
 * Readies, once an HTTP route is done, what platform-http writes of its answer:
 * <ul>
 *   <li>a text body becomes the bytes platform-http would have sent for it (UTF-8), so that it goes
 *       with its {@code Content-Length}: platform-http measures bytes only, and sent text (what
 *       {@code setBody} and most steps leave) chunked, which an HTTP/1.0 client (nginx's {@code
 *       proxy_pass} by default, HAProxy's checks) cannot read: the gateway answered it 505. A stream
 *       stays a stream;
 *   <li>a {@code Content-Type} HTTP cannot carry ({@code ?Content-Type=a%0Db}: Camel makes message
 *       headers of query parameters) is dropped: platform-http writes it past the header filter
 *       ({@link ResponseHeaderFilter}), and Vert.x threw, a 500;
 *   <li>a status the route set that is no HTTP status ({@code CamelHttpResponseCode: abc}, {@code -1}, an interim {@code 103}) makes the answer
 *       a 500 without a body, as any failed route's: platform-http's conversion threw, and Quarkus
 *       sent its error page.
 * </ul>
 */
public final class WritableAnswers implements RoutePolicyFactory {

  private static final Logger LOG = Logger.getLogger(WritableAnswers.class);

  @Override
  public RoutePolicy createRoutePolicy(CamelContext camelContext, String routeId, NamedNode node) {
    return AnsweredExchanges.isHttpRoute(node) ? new Ready() : null;
  }

  /**
   * Whether platform-http can write {@code status} as the answer: a number (as Camel converts it,
   * untrimmed) from 200 to 599. A 1xx is interim (RFC 9110 §15.2): written alone, no answer followed it.
   */
  private static boolean isStatus(Object status) {
    try {
      int code = status instanceof Number number ? number.intValue() : Integer.parseInt(status.toString());
      return code >= 200 && code <= 599;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  private static final class Ready extends RoutePolicySupport {
    @Override
    public void onExchangeDone(Route route, Exchange exchange) {
      Message message = exchange.getMessage();
      Object contentType = message.getHeader(Exchange.CONTENT_TYPE);
      if (contentType != null && !ResponseHeaderFilter.writable(Exchange.CONTENT_TYPE, contentType)) {
        message.removeHeader(Exchange.CONTENT_TYPE);
      }
      Object status = message.getHeader(Exchange.HTTP_RESPONSE_CODE);
      if (status != null && !isStatus(status)) {
        LOG.warnf("route %s set %s to '%s', which is no final HTTP status (200 to 599): answered 500", route.getRouteId(),
            Exchange.HTTP_RESPONSE_CODE, status);
        message.setHeader(Exchange.HTTP_RESPONSE_CODE, 500);
        message.setBody(new byte[0]);
        return;
      }
      if (exchange.getException() == null && message.getBody() instanceof String text) {
        message.setBody(text.getBytes(StandardCharsets.UTF_8));
      }
    }
  }
}
