package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * A route's CORS policy. Preflight requests are answered by the gateway before authentication.
 *
 * @param allowOrigins exact origins ({@code https://console.example.com}) or {@code *}; {@code *}
 *     cannot be combined with {@code allowCredentials}
 * @param allowMethods methods allowed; empty means the route's methods, or every method the gateway accepts when the route names none
 * @param allowHeaders request headers allowed
 * @param exposeHeaders response headers exposed to scripts
 * @param allowCredentials whether cookies and authorization may be sent; default false
 * @param maxAgeSeconds how long a preflight may be cached; default 600
 */
@JsonPropertyOrder({"allowOrigins", "allowMethods", "allowHeaders", "exposeHeaders", "allowCredentials", "maxAgeSeconds"})
public record Cors(
    List<String> allowOrigins,
    List<String> allowMethods,
    List<String> allowHeaders,
    List<String> exposeHeaders,
    boolean allowCredentials,
    int maxAgeSeconds) {

  public static final int DEFAULT_MAX_AGE_SECONDS = 600;

  public Cors {
    allowOrigins = allowOrigins == null ? List.of() : List.copyOf(allowOrigins);
    allowMethods = allowMethods == null ? List.of() : List.copyOf(allowMethods);
    allowHeaders = allowHeaders == null ? List.of() : List.copyOf(allowHeaders);
    exposeHeaders = exposeHeaders == null ? List.of() : List.copyOf(exposeHeaders);
  }
}
