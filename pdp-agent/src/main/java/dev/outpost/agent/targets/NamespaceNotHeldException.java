package dev.outpost.agent.targets;

/**
 * A write not made because this agent does not hold its namespace now ({@link NamespaceHold}):
 * another release's agent holds it, this agent's own hold may have lapsed (a pass stopped past it),
 * or its record was replaced or kept conflicting. A failure that may pass, whatever the API server answered:
 * another agent's hold lapses unless it is renewed, and this agent's is renewed at the next pass;
 * refused at a pass's start it was tried again, refused mid-pass it was lost.
 */
public final class NamespaceNotHeldException extends TargetException {
  NamespaceNotHeldException(String message) {
    super(message);
  }

  NamespaceNotHeldException(String message, Throwable cause) {
    super(message, cause);
  }
}
