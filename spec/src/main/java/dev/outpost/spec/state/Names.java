package dev.outpost.spec.state;

import dev.outpost.spec.json.Problems;
import java.util.regex.Pattern;

/** The naming rules that let state names become Kubernetes object names. */
public final class Names {
  static final int MAX_LABEL = 63;
  /**
   * The project of the data plane's own records (the agent's audit log): never a tenant's, so no
   * integration or route may be in it, and no integration can be issued a token that writes there.
   */
  public static final String SYSTEM_PROJECT = "outpost-system";
  /** {@code int-} + the integration name must itself be a label. */
  static final int MAX_INTEGRATION_NAME = MAX_LABEL - "int-".length();

  static final String LABEL_RULE = "must be a DNS-1123 label (lower-case letters, digits and '-', "
      + "starting and ending with a letter or digit, at most 63 characters)";
  static final String SUBDOMAIN_RULE = "must be a DNS-1123 subdomain (lower-case letters, digits, '-' and '.', "
      + "at most 253 characters)";

  private static final Pattern LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  private static final Pattern SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
  private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9._-]{1,63}");

  private Names() {}

  public static boolean isLabel(String value) {
    return value != null && value.length() <= MAX_LABEL && LABEL.matcher(value).matches();
  }

  static boolean isSubdomain(String value) {
    return value != null && value.length() <= 253 && SUBDOMAIN.matcher(value).matches();
  }

  /**
   * A key a Secret can have (Kubernetes' {@code IsConfigMapKey}): not {@code .} or {@code ..} and not
   * starting with {@code ..}, which the API server refuses in a Secret and in the pod's volume item
   * that mounts the key; such a key failed the whole revision at the Deployment's write.
   */
  static boolean isSecretKey(String value) {
    return value != null && SECRET_KEY.matcher(value).matches() && !value.equals(".") && !value.startsWith("..");
  }

  static boolean isVersion(String value) {
    return value != null && VERSION.matcher(value).matches();
  }

  /** Checks a project name: a label, and not the data plane's own project. */
  static void checkProject(String value, String path, Problems problems) {
    checkLabel(value, path, problems);
    if (SYSTEM_PROJECT.equals(value)) {
      problems.add(path, "\"" + SYSTEM_PROJECT + "\" is reserved for the data plane's own records");
    }
  }

  /** Checks a DNS-1123 label, reporting at {@code path} when it is present and wrong. */
  static void checkLabel(String value, String path, Problems problems) {
    if (value != null && !isLabel(value)) {
      problems.add(path, LABEL_RULE);
    }
  }
}
