package dev.outpost.agent.link;

import io.vertx.core.http.UpgradeRejectedException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;
import org.jboss.logging.Logger;

/**
 * Says why the link cannot connect, at the level an operator's alerts see. Every failure was one
 * INFO line, "unreachable", whatever it was, and static stability hides the rest (the data plane
 * runs on with what it has): a revoked token, a certificate the agent does not trust or a
 * control plane away for good went unnoticed until someone missed an update.
 * <ul>
 *   <li>401 or 403 on the upgrade: ERROR each time, naming the token's settings (reconnecting
 *       cannot mend it; the backoff bounds how often);
 *   <li>a TLS handshake that fails (naming why: the certificate's path, host or dates), or another refused
 *       upgrade (404, a proxy's 407): WARN each time;
 *   <li>anything else (no route, refused, timed out): INFO for the first two in a row, then WARN on
 *       the third and every tenth after it.
 * </ul>
 */
final class ConnectFailureLog {
  private static final Logger LOG = Logger.getLogger(ConnectFailureLog.class);
  private static final int BODY_CHARS = 200;

  private int inARow;

  synchronized void failed(URI url, Throwable failure) {
    inARow++;
    UpgradeRejectedException rejected = find(failure, UpgradeRejectedException.class);
    if (rejected != null && (rejected.getStatus() == 401 || rejected.getStatus() == 403)) {
      LOG.errorf("the control plane at %s refused this agent's token (HTTP %d%s): set the data plane's token"
          + " (outpost.agent.control-plane.token or token-file; the chart's controlPlane.token) to the one the control"
          + " plane issued", url, rejected.getStatus(), body(rejected));
    } else if (rejected != null) {
      LOG.warnf("the control plane at %s refused the connection (HTTP %d%s)%s", url, rejected.getStatus(), body(rejected),
          rejected.getStatus() == 407 ? ": the proxy (outpost.agent.control-plane.proxy) wants other credentials" : "");
    } else if (find(failure, SSLException.class) != null) {
      LOG.warnf("TLS with the control plane at %s failed: %s (trusted: the JVM's CAs and"
          + " outpost.agent.control-plane.ca-file, the chart's agent.controlPlaneCA)", url, reason(failure));
    } else if (inARow >= 3 && (inARow - 3) % 10 == 0) {
      LOG.warnf("the control plane at %s has been unreachable for %d attempts in a row: %s", url, inARow,
          failure.getMessage());
    } else {
      LOG.infof("control plane %s unreachable: %s", url, failure.getMessage());
    }
  }

  synchronized void connected() {
    inARow = 0;
  }

  private static <T extends Throwable> T find(Throwable failure, Class<T> kind) {
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (kind.isInstance(t)) {
        return kind.cast(t);
      }
    }
    return null;
  }

  /**
   * Why a TLS handshake failed, in the JDK's words: Vert.x says "Failed to create SSL connection" and
   * keeps the reason as its cause, a certification path that does not lead to a trusted CA, a name
   * the certificate is not for, an expired certificate. The innermost cause says it, preceded by the
   * one that holds it when that one says more ("validity check failed: NotAfter: …").
   */
  private static String reason(Throwable failure) {
    List<String> messages = new ArrayList<>(); // the outermost first
    for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t.getMessage() != null) {
        messages.add(t.getMessage());
      }
    }
    if (messages.isEmpty()) {
      return "no reason given";
    }
    String reason = messages.get(messages.size() - 1);
    String holder = messages.size() > 2 ? messages.get(messages.size() - 2) : reason;
    return holder.contains(reason) ? reason : holder + ": " + reason;
  }

  /** The start of the refusal's body, which says why, on one line. */
  private static String body(UpgradeRejectedException rejected) {
    if (rejected.getBody() == null || rejected.getBody().length() == 0) {
      return "";
    }
    String text = rejected.getBody().toString(java.nio.charset.StandardCharsets.UTF_8);
    text = text.length() > BODY_CHARS ? text.substring(0, BODY_CHARS) + "…" : text;
    return ": " + text.replaceAll("\\p{Cntrl}", " ").strip();
  }
}
