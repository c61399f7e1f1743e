package dev.outpost.agent.targets;

/** A write to the target failed; the message says which object and why. */
public class TargetException extends Exception {
  public TargetException(String message) {
    super(message);
  }

  public TargetException(String message, Throwable cause) {
    super(message, cause);
  }
}
