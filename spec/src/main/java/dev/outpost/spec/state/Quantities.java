package dev.outpost.spec.state;

import java.math.BigDecimal;
import java.util.Map;

/** The amount a Kubernetes quantity stands for ({@code 250m} is 0.25, {@code 1Gi} 2^30), to compare two. */
final class Quantities {

  private static final Map<String, BigDecimal> SUFFIXES = Map.ofEntries(
      Map.entry("n", new BigDecimal("1e-9")), Map.entry("u", new BigDecimal("1e-6")),
      Map.entry("m", new BigDecimal("1e-3")), Map.entry("k", new BigDecimal("1e3")),
      Map.entry("M", new BigDecimal("1e6")), Map.entry("G", new BigDecimal("1e9")),
      Map.entry("T", new BigDecimal("1e12")), Map.entry("P", new BigDecimal("1e15")),
      Map.entry("E", new BigDecimal("1e18")), Map.entry("Ki", BigDecimal.valueOf(1L << 10)),
      Map.entry("Mi", BigDecimal.valueOf(1L << 20)), Map.entry("Gi", BigDecimal.valueOf(1L << 30)),
      Map.entry("Ti", BigDecimal.valueOf(1L << 40)), Map.entry("Pi", BigDecimal.valueOf(1L << 50)),
      Map.entry("Ei", BigDecimal.valueOf(1L << 60)));

  private Quantities() {}

  /** The amount of {@code quantity}, which matches {@link IntegrationRules}' quantity pattern. */
  static BigDecimal amount(String quantity) {
    int end = quantity.length();
    while (end > 0 && Character.isLetter(quantity.charAt(end - 1))) {
      end--;
    }
    // a quantity ending in a digit has no suffix, or an exponent BigDecimal reads itself (1e3)
    String suffix = quantity.substring(end);
    return suffix.isEmpty() ? number(quantity) : number(quantity.substring(0, end)).multiply(SUFFIXES.get(suffix));
  }

  private static BigDecimal number(String text) {
    return new BigDecimal(text.startsWith(".") ? "0" + text : text.endsWith(".") ? text + "0" : text);
  }
}
