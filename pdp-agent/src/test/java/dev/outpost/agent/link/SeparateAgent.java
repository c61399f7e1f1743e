package dev.outpost.agent.link;

import dev.outpost.spec.signature.Ed25519Keys;
import io.vertx.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;

/**
 * An agent as {@link AgentHarness} wires it, alone in a JVM of its own: for a test that must give
 * the agent a heap of a given size and see whether it ends. Arguments: the control plane's URL, its
 * public key (raw, base64) and the agent's home. Prints {@link #STARTED} once connecting, and runs
 * until its standard input ends.
 */
public final class SeparateAgent {
  static final String STARTED = "separate agent started";

  private SeparateAgent() {}

  public static void main(String[] args) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (AgentHarness agent = new AgentHarness(vertx, Path.of(args[2]), args[0], Ed25519Keys.fromRawBase64(args[1]),
        Duration.ofSeconds(30), Duration.ofSeconds(90)).start()) {
      System.out.println(STARTED);
      System.out.flush();
      while (System.in.read() >= 0) {
        // runs until the test closes its input, or ends it
      }
    }
    vertx.close();
    System.exit(0);
  }
}
