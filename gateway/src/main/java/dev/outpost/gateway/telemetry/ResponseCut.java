package dev.outpost.gateway.telemetry;

import io.opentelemetry.api.common.AttributeKey;

/**
 * Who cut a response that had begun: the integration (its body failed, or stopped for the route's
 * timeout, and the gateway then closed the client's connection, the only way to tell it once the
 * head has gone) or the client (it left mid-body). Recorded so that the status, a 200 say, is not
 * read as a success; Envoy's access log says the same with its {@code UC} and {@code DC} flags.
 */
public enum ResponseCut {
  INTEGRATION("integration"),
  CLIENT("client");

  /** On the access record and the server span of a cut response. */
  static final AttributeKey<String> CUT_BY = AttributeKey.stringKey("outpost.response.cut_by");

  private final String by;

  ResponseCut(String by) {
    this.by = by;
  }

  /** The name recorded in {@link #CUT_BY}. */
  public String by() {
    return by;
  }
}
