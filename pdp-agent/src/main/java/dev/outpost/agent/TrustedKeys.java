package dev.outpost.agent;

import dev.outpost.spec.signature.Ed25519Keys;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The control plane's public keys the agent trusts, read from the pinned key text: several PEM
 * {@code PUBLIC KEY} blocks one after the other ({@code cat old.pub new.pub}), or several raw base64
 * keys separated by white space or commas. Several keys are what a rotation needs (PROTOCOL.md
 * section 9): the agent trusts the old and the new key until the control plane signs with the new one.
 */
final class TrustedKeys {
  private static final Pattern PEM_BLOCK =
      Pattern.compile("-----BEGIN PUBLIC KEY-----.*?-----END PUBLIC KEY-----", Pattern.DOTALL);

  private TrustedKeys() {}

  /** Every key in {@code text}; throws {@link IllegalArgumentException} naming the key that is not one. */
  static List<PublicKey> parse(String text) {
    List<String> keys = new ArrayList<>();
    if (text.contains("-----BEGIN")) {
      Matcher block = PEM_BLOCK.matcher(text);
      while (block.find()) {
        keys.add(block.group());
      }
      String rest = PEM_BLOCK.matcher(text).replaceAll("").strip();
      if (keys.isEmpty() || !rest.isEmpty()) {
        throw new IllegalArgumentException("expected only PEM PUBLIC KEY blocks (-----BEGIN PUBLIC KEY----- ... "
            + "-----END PUBLIC KEY-----), found other text: " + abbreviate(rest.isEmpty() ? text : rest));
      }
    } else {
      for (String raw : text.strip().split("[\\s,]+")) {
        if (!raw.isEmpty()) {
          keys.add(raw);
        }
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no key found");
    }
    List<PublicKey> parsed = new ArrayList<>();
    for (int i = 0; i < keys.size(); i++) {
      String key = keys.get(i);
      try {
        parsed.add(key.startsWith("-----BEGIN") ? Ed25519Keys.publicKeyFromPem(key) : Ed25519Keys.fromRawBase64(key));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("key " + (i + 1) + " of " + keys.size() + ": " + e.getMessage(), e);
      }
    }
    return parsed;
  }

  private static String abbreviate(String text) {
    String line = text.strip().lines().findFirst().orElse("");
    return line.length() > 40 ? line.substring(0, 40) + "…" : line;
  }
}
