package dev.outpost.spec.signature;

/** A snapshot's signature was missing or did not verify; the message says why (fit for a nack). */
public class SignatureRejectedException extends Exception {
  public SignatureRejectedException(String message) {
    super(message);
  }
}
