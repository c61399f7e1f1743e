package dev.outpost.spec.ingest;

import dev.outpost.spec.state.Names;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * OTLP ingest tokens bound to one integration, {@code oit1.<project>.<integration>.<mac>}: the
 * agent gives each integration pod its own, and observability-api stores what is sent with it
 * under that project and integration whatever the records claim. The MAC is HMAC-SHA256 under a
 * key derived from the data plane's ingest token, so both sides need nothing but that token and
 * no list of issued tokens is kept. Names are DNS-1123 labels, so {@code .} separates them
 * unambiguously.
 *
 * <p>A token stays valid until the ingest token changes: removing an integration does not revoke
 * it, but it can only ever write that integration's own records.
 */
public final class IntegrationIngestTokens {
  public static final String PREFIX = "oit1.";
  private static final String ALGORITHM = "HmacSHA256";
  /** Domain separation: the derived key is used for nothing else. */
  private static final byte[] KEY_LABEL = "outpost integration ingest token v1".getBytes(StandardCharsets.UTF_8);
  private static final Base64.Encoder MAC_TEXT = Base64.getUrlEncoder().withoutPadding();
  /** Prefix, two labels of at most 63 characters, separators and a 43-character MAC. */
  private static final int MAX_LENGTH = PREFIX.length() + 63 + 1 + 63 + 1 + 43;

  private final SecretKeySpec key;

  /** @param ingestToken the data plane's ingest token (observability-api's data-plane token) */
  public IntegrationIngestTokens(String ingestToken) {
    if (ingestToken == null || ingestToken.isBlank()) {
      throw new IllegalArgumentException("the data plane's ingest token is empty");
    }
    this.key = new SecretKeySpec(hmac(new SecretKeySpec(ingestToken.getBytes(StandardCharsets.UTF_8), ALGORITHM),
        KEY_LABEL), ALGORITHM);
  }

  /** The token of one integration; the same every time for the same names and ingest token. */
  public String issue(String project, String integration) {
    if (!Names.isLabel(project) || !Names.isLabel(integration)) {
      throw new IllegalArgumentException("project and integration must be DNS-1123 labels: " + project + ", " + integration);
    }
    if (Names.SYSTEM_PROJECT.equals(project)) {
      throw new IllegalArgumentException("no integration is issued a token of project " + Names.SYSTEM_PROJECT);
    }
    return PREFIX + project + "." + integration + "." + MAC_TEXT.encodeToString(mac(project, integration));
  }

  /** What a presented token binds; empty unless it is one this ingest token issued. */
  public Optional<Binding> verify(String token) {
    if (token == null || token.length() > MAX_LENGTH || !token.startsWith(PREFIX)) {
      return Optional.empty();
    }
    String[] parts = token.substring(PREFIX.length()).split("\\.", -1);
    if (parts.length != 3 || !Names.isLabel(parts[0]) || !Names.isLabel(parts[1])) {
      return Optional.empty();
    }
    byte[] expected = MAC_TEXT.encodeToString(mac(parts[0], parts[1])).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, parts[2].getBytes(StandardCharsets.US_ASCII))
        ? Optional.of(new Binding(parts[0], parts[1]))
        : Optional.empty();
  }

  private byte[] mac(String project, String integration) {
    return hmac(key, (project + "/" + integration).getBytes(StandardCharsets.UTF_8));
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM); // not thread-safe, and cheap next to an ingest request
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is missing from this JVM", e);
    }
  }

  /** The project and integration a token writes for. */
  public record Binding(String project, String integration) {}
}
