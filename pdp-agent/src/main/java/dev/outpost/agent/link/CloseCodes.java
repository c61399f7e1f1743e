package dev.outpost.agent.link;

import java.util.Map;

/** What the control plane's close codes mean (PROTOCOL.md section 11), for the log. */
final class CloseCodes {

  private static final Map<Short, String> MEANINGS = Map.of(
      (short) 4000, "the first message was not hello",
      (short) 4001, "the agent's token was revoked",
      (short) 4002, "the control plane does not speak this agent's protocol version",
      (short) 4003, "this data plane is not the one the agent's token is for");

  private CloseCodes() {}

  /** The code, its meaning when the protocol gives one, and the control plane's reason. */
  static String describe(short code, String reason) {
    String meaning = MEANINGS.get(code);
    return "code " + code + (meaning == null ? "" : ": " + meaning)
        + (reason == null || reason.isBlank() ? "" : " (\"" + reason + "\")");
  }

  /** Closes that reconnecting cannot mend until someone changes the agent or its configuration. */
  static boolean needsOperator(short code) {
    return code == 4002 || code == 4003;
  }
}
