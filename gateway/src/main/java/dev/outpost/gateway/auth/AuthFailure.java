package dev.outpost.gateway.auth;

/**
 * Why a caller was refused: 401 (no or bad credentials), 403 (valid but not allowed), 503 (the
 * keys needed to decide cannot be had). The message is safe to show the client.
 */
public final class AuthFailure extends RuntimeException {

  private final int status;
  private final boolean noCredentials;

  public AuthFailure(int status, String message) {
    this(status, message, false);
  }

  private AuthFailure(int status, String message, boolean noCredentials) {
    super(message, null, false, false);
    this.status = status;
    this.noCredentials = noCredentials;
  }

  public int status() {
    return status;
  }

  /** A 401 because the request carried no credentials at all, not bad ones. */
  public boolean noCredentials() {
    return noCredentials;
  }

  static AuthFailure unauthorized(String message) {
    return new AuthFailure(401, message);
  }

  static AuthFailure noCredentials(String message) {
    return new AuthFailure(401, message, true);
  }
}
