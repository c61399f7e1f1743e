package dev.outpost.spec.model;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

/**
 * API key authentication for a route. The keys themselves live in the data plane's secret store,
 * hashed: the referenced secret value holds one key per line as {@code <client-id>:<sha256-hex of
 * the key>}, and the client id becomes the caller's subject.
 *
 * @param header the request header carrying the key; default {@code X-API-Key}
 * @param keys the secret holding the hashed keys
 */
@JsonPropertyOrder({"header", "keys"})
public record ApiKeyAuth(String header, SecretRef keys) {
  public static final String DEFAULT_HEADER = "X-API-Key";

  /** The header the key is read from: {@link #header}, or {@link #DEFAULT_HEADER} when it is unset. */
  public String headerName() {
    return header == null || header.isBlank() ? DEFAULT_HEADER : header;
  }
}
