package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.SecretRef;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Keeps secret values out of the state: secret references are well formed, every {@code
 * {{secret.NAME.KEY}}} a source uses is declared, and nothing in config or source looks like a
 * credential. These rules are heuristics tuned to refuse the common mistakes (a password in
 * config, a pasted token or private key); the message always points to the fix.
 */
final class SecretRules {
  static final String USE_SECRET_REF =
      "secret values must not appear in the state; use a secretRef (name, key) and {{secret.NAME.KEY}}";

  /** {@code {{secret.NAME.KEY}}}; NAME may itself contain dots, so the whole reference is compared. */
  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{secret\\.([^{}]+)}}");
  /** Words that make a config key name a credential (compared lower-case, without '-', '_', '.'). */
  private static final List<String> CREDENTIAL_WORDS = List.of(
      "password", "passwd", "passphrase", "secret", "token", "apikey", "privatekey", "credential", "accesskey");
  /** Endings that make such a key name harmless: it names where a credential is, not the credential. */
  private static final List<String> HARMLESS_ENDINGS = List.of("url", "uri", "endpoint", "header", "path", "file");
  private static final Pattern PEM_PRIVATE_KEY = Pattern.compile("-----BEGIN [A-Z ]*PRIVATE KEY-----");
  // Each pattern that can begin inside a run of the chars it repeats starts only where such a run
  // begins (a look-behind), and a scheme is at most 32 chars: otherwise every position of a long
  // run starts a scan to its end, quadratic time, and one crafted source stalls every deploy.
  private static final Pattern JWT = Pattern.compile("(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\\.eyJ[A-Za-z0-9_-]{5,}\\.[A-Za-z0-9_-]*");
  private static final Pattern BEARER = Pattern.compile("(?i)\\bbearer\\s+(?!\\{\\{)[A-Za-z0-9._~+/=-]{16,}");
  private static final Pattern BASIC = Pattern.compile("\\bBasic\\s+([A-Za-z0-9+/]{8,}={0,2})");
  private static final Pattern URL_PASSWORD =
      Pattern.compile("(?<![a-zA-Z0-9+.-])[a-zA-Z][a-zA-Z0-9+.-]{0,31}://[^/\\s:@{}]+:(?!\\{\\{)[^@\\s/]+@");
  private static final Pattern URI_OPTION =
      Pattern.compile("(?i)[?&](password|passphrase|secret|token|apikey|accesskey|secretkey)=(?!(RAW\\()?\\{\\{)");

  static final String SECRET_KEY_RULE =
      "must match [-._a-zA-Z0-9]+ (at most 253 characters), and not be '.' or start with '..' (Kubernetes' rule)";

  private SecretRules() {}

  static void checkRef(SecretRef ref, String path, Problems problems) {
    if (ref.name() != null && !Names.isSubdomain(ref.name())) {
      problems.add(Problems.field(path, "name"), Names.SUBDOMAIN_RULE);
    } else if (ref.name() != null && isReserved(ref.name())) {
      problems.add(Problems.field(path, "name"), "'" + ref.name() + "' is reserved for the data plane's own secrets "
          + "(outpost, outpost-*, *-outpost-control-plane, Helm's release records sh.helm.release.*): an integration"
          + " that declared it would read them");
    }
    if (ref.key() != null && !Names.isSecretKey(ref.key())) {
      problems.add(Problems.field(path, "key"), SECRET_KEY_RULE);
    }
  }

  static void checkIntegration(Integration integration, String path, Problems problems) {
    for (int i = 0; i < integration.secrets().size(); i++) {
      checkRef(integration.secrets().get(i), Problems.index(Problems.field(path, "secrets"), i), problems);
    }
    for (Map.Entry<String, String> entry : integration.config().entrySet()) {
      String at = Problems.field(Problems.field(path, "config"), entry.getKey());
      if (isCredentialName(entry.getKey())) {
        problems.add(at, "names a credential; " + USE_SECRET_REF);
      } else if (looksLikeCredential(entry.getValue())) {
        problems.add(at, "looks like a credential; " + USE_SECRET_REF);
      }
    }
    if (integration.source() != null) {
      checkSource(integration, Problems.field(path, "source"), problems);
    }
  }

  private static void checkSource(Integration integration, String path, Problems problems) {
    Set<String> declared = new HashSet<>();
    integration.secrets().forEach(ref -> declared.add(ref.name() + "." + ref.key()));
    Set<String> reported = new HashSet<>();
    Matcher placeholder = PLACEHOLDER.matcher(integration.source());
    while (placeholder.find()) {
      String ref = placeholder.group(1);
      if (!declared.contains(ref) && reported.add(ref)) {
        problems.add(path, "uses " + placeholder.group() + " but secrets does not declare it (add {name, key} to secrets)");
      }
    }
    if (looksLikeCredential(integration.source()) || URI_OPTION.matcher(integration.source()).find()) {
      problems.add(path, "contains what looks like a credential; " + USE_SECRET_REF);
    }
  }

  /**
   * The data plane's own secrets: locally {@code secrets/outpost/} (its tokens), in Kubernetes the
   * agent's Secrets ({@code outpost-agent-applied}, {@code outpost-integration-tokens}), the chart's
   * {@code <release>-outpost-control-plane}, and Helm's release records {@code
   * sh.helm.release.v1.<release>.v<n>}, which hold the values installed with, the control plane token
   * among them. A declared secret is mounted into the integration's pod, or readable by it locally,
   * so these names are never declarable.
   */
  static boolean isReserved(String name) {
    return name.equals("outpost") || name.startsWith("outpost-") || name.endsWith("-outpost-control-plane")
        || name.startsWith("sh.helm.release.");
  }

  static boolean isCredentialName(String key) {
    String normalised = key.toLowerCase(Locale.ROOT).replaceAll("[-_.]", "");
    return CREDENTIAL_WORDS.stream().anyMatch(normalised::contains)
        && HARMLESS_ENDINGS.stream().noneMatch(normalised::endsWith);
  }

  /** {@code Basic <base64 of user:password>}; ordinary prose after "Basic" does not decode so. */
  private static boolean hasBasicCredentials(String value) {
    Matcher basic = BASIC.matcher(value);
    while (basic.find()) {
      try {
        if (new String(Base64.getDecoder().decode(basic.group(1)), StandardCharsets.UTF_8).contains(":")) {
          return true;
        }
      } catch (IllegalArgumentException notBase64) {
        // prose, not credentials
      }
    }
    return false;
  }

  static boolean looksLikeCredential(String value) {
    return PEM_PRIVATE_KEY.matcher(value).find()
        || JWT.matcher(value).find()
        || BEARER.matcher(value).find()
        || hasBasicCredentials(value)
        || URL_PASSWORD.matcher(value).find();
  }
}
