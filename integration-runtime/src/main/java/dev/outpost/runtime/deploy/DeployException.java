package dev.outpost.runtime.deploy;

/** An integration cannot be deployed; the message says why in terms its author can act on. */
public class DeployException extends Exception {

  public DeployException(String message) {
    super(message);
  }
}
