package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * How a route's callers authenticate: exactly one of {@code jwt}, {@code apiKey} or {@code
 * public: true}.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder({"jwt", "apiKey", "public"})
public record RouteAuth(JwtAuth jwt, ApiKeyAuth apiKey, @JsonProperty("public") Boolean publicAccess) {

  public static RouteAuth anonymous() {
    return new RouteAuth(null, null, Boolean.TRUE);
  }

  /** Which of the three modes this is. */
  public Mode mode() {
    if (jwt != null) {
      return Mode.JWT;
    }
    return apiKey != null ? Mode.API_KEY : Mode.PUBLIC;
  }

  public enum Mode { JWT, API_KEY, PUBLIC }
}
