package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A gateway route: which inbound requests go to which integration, and under which rules.
 *
 * @param id unique within the state (a DNS-1123 label)
 * @param project the project that owns it; must equal its integration's project
 * @param match which requests it takes
 * @param integration the name of the target integration
 * @param stripPrefix whether the matched path prefix is removed before forwarding; default false
 * @param auth how callers authenticate
 * @param rateLimit an optional cluster-wide rate limit
 * @param timeoutMillis upstream timeout; default 30000, 1 to 300000
 * @param retries retries of idempotent methods on connection failure; default 0, at most 5
 * @param cors optional CORS policy; without it no CORS headers are sent
 * @param maxBodyBytes the largest request body accepted (413 past it); default 10 MiB
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"id", "project", "match", "integration", "stripPrefix", "auth", "rateLimit",
    "timeoutMillis", "retries", "cors", "maxBodyBytes"})
public record Route(
    String id,
    String project,
    RouteMatch match,
    String integration,
    boolean stripPrefix,
    RouteAuth auth,
    RateLimit rateLimit,
    long timeoutMillis,
    int retries,
    Cors cors,
    long maxBodyBytes) {

  public static final long DEFAULT_TIMEOUT_MILLIS = 30_000;
  public static final long MAX_TIMEOUT_MILLIS = 300_000;
  public static final int MAX_RETRIES = 5;
  public static final long DEFAULT_MAX_BODY_BYTES = 10L * 1024 * 1024;
}
