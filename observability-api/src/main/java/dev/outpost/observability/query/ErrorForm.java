package dev.outpost.observability.query;

import jakarta.ws.rs.core.Response;

/**
 * How an API answers a refusal made before its endpoint runs ({@link SearchSlotFilter}): Jaeger's
 * APIs in Jaeger's error bodies, which Jaeger UI and Grafana read the message from; this API's own
 * is {@link ApiErrors}. Implementations have a public constructor without arguments.
 */
public interface ErrorForm {

  /** The answer to {@code refused}, with its status and, when it has one, its {@code Retry-After}. */
  Response answer(ApiException refused);
}
