package dev.outpost.spec.json;

import java.util.Optional;

/**
 * Refuses YAML with a line longer than {@link #MAX_LINE_CHARACTERS}, before SnakeYAML reads it.
 * SnakeYAML copies its whole read window, four bytes a character, for every 1,024 characters of
 * one token: a 10 MiB comment line took seconds of CPU and ran the development control plane's
 * 128 MB heap out of memory. No state needs a longer line: an integration, sources included, fits
 * a 1 MiB ConfigMap. An integration's source, YAML in a string, is parsed only within that size
 * (spec.state.IntegrationRules), so none of its lines is longer either, whatever the document's.
 */
public final class YamlLines {
  public static final int MAX_LINE_CHARACTERS = 1024 * 1024;

  private YamlLines() {}

  /** The first line that is too long, said as a problem of the whole text; empty when none is. */
  public static Optional<String> tooLong(String yaml) {
    int line = 1;
    int start = 0;
    for (int i = 0; i <= yaml.length(); i++) {
      if (i == yaml.length() || yaml.charAt(i) == '\n' || yaml.charAt(i) == '\r') {
        int length = i - start;
        if (length > MAX_LINE_CHARACTERS) {
          return Optional.of("line " + line + " has " + length + " characters, more than the " + MAX_LINE_CHARACTERS
              + " a YAML line may have: send a document with longer lines as JSON");
        }
        if (i < yaml.length() - 1 && yaml.charAt(i) == '\r' && yaml.charAt(i + 1) == '\n') {
          i++;
        }
        line++;
        start = i + 1;
      }
    }
    return Optional.empty();
  }
}
