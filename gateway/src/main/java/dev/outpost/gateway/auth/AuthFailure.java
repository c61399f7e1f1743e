package dev.outpost.gateway.auth;

/**
 * Why a caller was refused: 401 (no or bad credentials), 403 (valid but not allowed), 503 (the
 * keys needed to decide cannot be had). The message is safe to show the client.
 */
public final class AuthFailure extends RuntimeException {

  private final int status;

  public AuthFailure(int status, String message) {
    super(message, null, false, false);
    this.status = status;
  }

  public int status() {
    return status;
  }

  static AuthFailure unauthorized(String message) {
    return new AuthFailure(401, message);
  }
}
