package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * A cluster-wide rate limit: at most {@code requests} per {@code periodSeconds} for each key,
 * across all gateway replicas.
 *
 * @param requests requests allowed per period, at least 1
 * @param periodSeconds the period, 1 to 86400
 * @param key what the budget is counted per; {@code subject} needs JWT auth, {@code apiKey} needs
 *     API key auth
 */
@JsonPropertyOrder({"requests", "periodSeconds", "key"})
public record RateLimit(long requests, int periodSeconds, Key key) {

  public enum Key {
    @JsonProperty("subject") SUBJECT,
    @JsonProperty("apiKey") API_KEY,
    @JsonProperty("clientIp") CLIENT_IP;

    /** The spelling used in documents. */
    public String wireName() {
      return switch (this) {
        case SUBJECT -> "subject";
        case API_KEY -> "apiKey";
        case CLIENT_IP -> "clientIp";
      };
    }
  }
}
