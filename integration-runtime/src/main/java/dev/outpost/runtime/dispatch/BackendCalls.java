package dev.outpost.runtime.dispatch;

import org.apache.camel.Endpoint;
import org.apache.camel.support.EventNotifierSupport;

/** Which endpoints a route calls a backend over HTTP with. */
final class BackendCalls {

  private BackendCalls() {}

  /**
   * {@code http:}, {@code https:}, and {@code rest:} as a producer, which calls through Camel's HTTP
   * component inside itself: its exchange events name the {@code rest:} endpoint only.
   */
  static boolean overHttp(Endpoint endpoint) {
    String uri = endpoint.getEndpointUri();
    return uri.startsWith("http:") || uri.startsWith("https:") || uri.startsWith("rest:");
  }

  /** Has {@code notifier} told only of exchanges sent to endpoints and sent back (calls). */
  static void callsOnly(EventNotifierSupport notifier) {
    notifier.setIgnoreCamelContextEvents(true);
    notifier.setIgnoreRouteEvents(true);
    notifier.setIgnoreServiceEvents(true);
    notifier.setIgnoreExchangeCreatedEvent(true);
    notifier.setIgnoreExchangeCompletedEvent(true);
    notifier.setIgnoreExchangeFailedEvents(true);
    notifier.setIgnoreExchangeRedeliveryEvents(true);
    notifier.setIgnoreStepEvents(true);
    notifier.setIgnoreExchangeAsyncProcessingStartedEvents(true);
  }
}
