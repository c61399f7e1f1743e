package dev.outpost.gateway.support;

import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One scrape of a Prometheus text exposition, read by metric name and labels. */
public final class PrometheusText {

  private static final Pattern SAMPLE = Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)$");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

  private final String text;

  private PrometheusText(String text) {
    this.text = text;
  }

  public static PrometheusText scrape(URL metrics) throws IOException {
    try (InputStream in = metrics.openStream()) {
      return new PrometheusText(new String(in.readAllBytes()));
    }
  }

  /**
   * The value of the sample {@code name} whose labels include every one of {@code labels} (pairs:
   * name, value), or 0 when there is none; fails when several match.
   */
  public double value(String name, String... labels) {
    List<Double> found = samples(name, labels);
    if (found.size() > 1) {
      throw new AssertionError("several samples of " + name + " match " + String.join(",", labels));
    }
    return found.isEmpty() ? 0 : found.get(0);
  }

  public boolean has(String name, String... labels) {
    return !samples(name, labels).isEmpty();
  }

  private List<Double> samples(String name, String... labels) {
    List<Double> values = new ArrayList<>();
    for (String line : text.split("\n")) {
      Matcher sample = SAMPLE.matcher(line);
      if (sample.matches() && sample.group(1).equals(name) && hasAll(sample.group(2), labels)) {
        values.add(Double.parseDouble(sample.group(3)));
      }
    }
    return values;
  }

  private static boolean hasAll(String labelText, String... wanted) {
    Map<String, String> labels = new LinkedHashMap<>();
    if (labelText != null) {
      Matcher label = LABEL.matcher(labelText);
      while (label.find()) {
        labels.put(label.group(1), label.group(2));
      }
    }
    for (int i = 0; i < wanted.length; i += 2) {
      if (!wanted[i + 1].equals(labels.get(wanted[i]))) {
        return false;
      }
    }
    return true;
  }

  @Override
  public String toString() {
    return text;
  }
}
