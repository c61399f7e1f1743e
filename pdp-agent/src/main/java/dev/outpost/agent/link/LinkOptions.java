package dev.outpost.agent.link;

import dev.outpost.spec.protocol.ProtocolCodec;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * How the agent reaches its control plane.
 *
 * @param url {@code wss://…/v1/connect} ({@code ws://} for local runs)
 * @param token the data plane's bearer token, sent on the upgrade request
 * @param caFile PEM certificates to trust for {@code wss://} besides the JVM's; empty for none
 * @param proxy an HTTP CONNECT proxy ({@code http://host:port}); empty to connect directly
 * @param pingInterval how often the agent pings
 * @param livenessTimeout how long without a byte from the control plane before the connection is
 *     declared dead and replaced (a large frame arriving slowly keeps it)
 * @param dataPlane this data plane's id
 * @param agentVersion sent in {@code hello}
 * @param capabilities sent in {@code hello}
 * @param maxUnsentChars how much text the agent keeps waiting to be sent to a control plane that does
 *     not read it: a {@code hello}, {@code status}, {@code ack} or {@code nack} that would queue more
 *     closes the connection instead, and the link connects again with its backoff. Counted in
 *     characters of JSON (as many bytes but for non-ASCII text). By default
 *     {@link #DEFAULT_MAX_UNSENT_CHARS}.
 */
public record LinkOptions(
    URI url,
    String token,
    Optional<Path> caFile,
    Optional<URI> proxy,
    Duration pingInterval,
    Duration livenessTimeout,
    String dataPlane,
    String agentVersion,
    List<String> capabilities,
    long maxUnsentChars) {

  /** The largest frame accepted (a snapshot of a large state), matching the protocol's limit. */
  public static final int MAX_MESSAGE_BYTES = ProtocolCodec.MAX_FRAME_BYTES;

  /** The default {@code maxUnsentChars}: as much as the largest message, 16 Mi characters. */
  public static final long DEFAULT_MAX_UNSENT_CHARS = MAX_MESSAGE_BYTES;

  /** Options with the default {@code maxUnsentChars}. */
  public LinkOptions(URI url, String token, Optional<Path> caFile, Optional<URI> proxy, Duration pingInterval,
      Duration livenessTimeout, String dataPlane, String agentVersion, List<String> capabilities) {
    this(url, token, caFile, proxy, pingInterval, livenessTimeout, dataPlane, agentVersion, capabilities,
        DEFAULT_MAX_UNSENT_CHARS);
  }
}
