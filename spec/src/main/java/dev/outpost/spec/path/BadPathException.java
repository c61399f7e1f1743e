package dev.outpost.spec.path;

/** A request path that {@link PathNormaliser} refuses; the message is safe to show the client. */
public final class BadPathException extends RuntimeException {
  public BadPathException(String message) {
    super(message, null, false, false);
  }
}
