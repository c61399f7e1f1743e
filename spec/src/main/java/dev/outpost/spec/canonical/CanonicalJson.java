package dev.outpost.spec.canonical;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.json.Quoted;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * The canonical form of a JSON document, RFC 8785 (JCS), restricted to integers: the bytes that
 * are signed and verified.
 *
 * <ul>
 *   <li>Object members are sorted by their names compared as UTF-16 code units ({@link
 *       String#compareTo}); arrays keep their order.
 *   <li>No whitespace between tokens.
 *   <li>Strings: {@code "} and {@code \} are escaped as {@code \"} and {@code \\}; U+0008, U+0009,
 *       U+000A, U+000C, U+000D as {@code \b \t \n \f \r}; other characters below U+0020 as {@code
 *       \}{@code u00xx} (lower-case hex); every other character as itself, UTF-8 encoded. Lone
 *       surrogates are rejected.
 *   <li>Numbers: only integers in the interoperable range ±(2^53 − 1), printed as plain decimal
 *       ({@code 1}, {@code 1.0} and {@code 1e0} all become {@code 1}; {@code -0} becomes {@code
 *       0}). Any other number is rejected: the state has none, and refusing them spares every
 *       implementation the ECMAScript double-formatting rules JCS would otherwise require.
 *   <li>{@code true}, {@code false}, {@code null} as themselves.
 * </ul>
 *
 * <p>Thread-safe and stateless.
 */
public final class CanonicalJson {
  /** The largest integer canonical JSON carries: 2^53 − 1. */
  public static final long MAX_SAFE_INTEGER = (1L << 53) - 1;
  private static final BigInteger MAX = BigInteger.valueOf(MAX_SAFE_INTEGER);
  private static final char[] HEX = "0123456789abcdef".toCharArray();
  /** The most of a path an error names. */
  private static final int MAX_PATH = 200;

  private CanonicalJson() {}

  /** The canonical text of {@code node}; throws {@link IllegalArgumentException} naming the path of a value it cannot carry. */
  public static String toText(JsonNode node) {
    StringBuilder out = new StringBuilder();
    write(node, Path.ROOT, out);
    return out.toString();
  }

  /** The canonical UTF-8 bytes of {@code node}: what signatures cover. */
  public static byte[] toBytes(JsonNode node) {
    return toText(node).getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Where a value is, spelled out only for an error: built for every value, a path of a long
   * name deep down cost its length per element (hours over one frame, before its signature was
   * checked).
   */
  private record Path(Path parent, String name, int index) {
    static final Path ROOT = new Path(null, null, -1);

    Path field(String field) {
      return new Path(this, field, -1);
    }

    Path element(int i) {
      return new Path(this, null, i);
    }

    /** At most {@code max} characters: the names are the sender's, and a nack or log line repeats them. */
    String spelled(int max) {
      StringBuilder out = new StringBuilder();
      appendTo(out, max);
      return Quoted.excerpt(out.toString(), max);
    }

    private void appendTo(StringBuilder out, int max) {
      if (parent == null) {
        return;
      }
      parent.appendTo(out, max);
      if (out.length() > max) {
        return;
      }
      if (name == null) {
        out.append('[').append(index).append(']');
      } else {
        out.append(out.isEmpty() ? "" : ".").append(name, 0, Math.min(name.length(), max + 1));
      }
    }
  }

  private static void write(JsonNode node, Path path, StringBuilder out) {
    switch (node.getNodeType()) {
      case OBJECT -> writeObject(node, path, out);
      case ARRAY -> {
        out.append('[');
        for (int i = 0; i < node.size(); i++) {
          if (i > 0) {
            out.append(',');
          }
          write(node.get(i), path.element(i), out);
        }
        out.append(']');
      }
      case STRING -> writeString(node.textValue(), path, out);
      case NUMBER -> out.append(integer(node, path));
      case BOOLEAN -> out.append(node.booleanValue());
      case NULL -> out.append("null");
      default -> throw new IllegalArgumentException(at(path) + "is not a JSON value (" + node.getNodeType() + ")");
    }
  }

  private static void writeObject(JsonNode node, Path path, StringBuilder out) {
    List<String> names = new ArrayList<>();
    for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
      names.add(it.next());
    }
    names.sort(String::compareTo);
    out.append('{');
    for (int i = 0; i < names.size(); i++) {
      if (i > 0) {
        out.append(',');
      }
      String name = names.get(i);
      Path childPath = path.field(name);
      writeString(name, childPath, out);
      out.append(':');
      write(node.get(name), childPath, out);
    }
    out.append('}');
  }

  private static String integer(JsonNode node, Path path) {
    BigDecimal value = node.decimalValue().stripTrailingZeros();
    // Range first, from the digit count alone: 1e1000000000 must not be expanded into a BigInteger.
    if (value.signum() != 0 && value.precision() - value.scale() > 16
        || value.scale() <= 0 && value.toBigInteger().abs().compareTo(MAX) > 0) {
      throw new IllegalArgumentException(at(path) + node.asText() + " is outside ±(2^53 - 1); canonical JSON cannot carry it exactly");
    }
    if (value.scale() > 0) {
      throw new IllegalArgumentException(at(path) + node.asText() + " is not an integer; canonical JSON carries integers only");
    }
    return value.toBigInteger().toString();
  }

  private static void writeString(String value, Path path, StringBuilder out) {
    out.append('"');
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        out.append(c).append(value.charAt(++i));
        continue;
      }
      if (Character.isSurrogate(c)) {
        throw new IllegalArgumentException(at(path) + "contains a lone surrogate (not valid Unicode)");
      }
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\b' -> out.append("\\b");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\f' -> out.append("\\f");
        case '\r' -> out.append("\\r");
        default -> {
          if (c < 0x20) {
            out.append("\\u00").append(HEX[c >> 4]).append(HEX[c & 0xf]);
          } else {
            out.append(c);
          }
        }
      }
    }
    out.append('"');
  }

  private static String at(Path path) {
    String spelled = path.spelled(MAX_PATH);
    return spelled.isEmpty() ? "" : spelled + ": ";
  }
}
