package dev.outpost.spec.json;

/**
 * A received value as an error message quotes it: cut to its first {@value #MAX_CHARACTERS}
 * characters, with its length when cut, and control characters escaped. A message holding all of
 * a 4 MiB value, logged and audited once per frame, ran the agent out of memory; a line break in
 * it would start a log line of the sender's.
 */
public final class Quoted {
  /** Enough to recognise a value, too little to matter in a log line. */
  public static final int MAX_CHARACTERS = 40;

  private Quoted() {}

  /** {@code "HS256"}, or {@code "KKKK…" (4194304 characters)}; {@code null} for none. */
  public static String of(String value) {
    if (value == null) {
      return "null";
    }
    String quoted = "\"" + excerpt(value, MAX_CHARACTERS) + "\"";
    return value.length() > MAX_CHARACTERS ? quoted + " (" + value.length() + " characters)" : quoted;
  }

  /** The first {@code max} characters of {@code text}, with an ellipsis when cut, control characters escaped. */
  public static String excerpt(String text, int max) {
    boolean cut = text.length() > max;
    // never split a surrogate pair: half a character cannot be written as UTF-8
    int end = cut && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : Math.min(max, text.length());
    StringBuilder out = new StringBuilder(end + 8);
    for (int i = 0; i < end; i++) {
      char c = text.charAt(i);
      if (Character.isISOControl(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return cut ? out.append('…').toString() : out.toString();
  }
}
