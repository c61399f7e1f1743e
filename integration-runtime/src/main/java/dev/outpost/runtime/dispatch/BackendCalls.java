package dev.outpost.runtime.dispatch;

import org.apache.camel.Endpoint;

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
}
