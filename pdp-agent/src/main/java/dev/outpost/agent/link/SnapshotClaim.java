package dev.outpost.agent.link;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.protocol.Snapshot;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * What a frame claims to be: a snapshot or not, and its revision when that is a whole number the
 * protocol can carry (1 to 2^53 - 1), else 0. Read as the frame streams past the parser the codec
 * uses ({@link Mappers#JSON}: duplicate keys refused anywhere, decimals exact), keeping nothing of the
 * rest: a snapshot then waits for the applier as its text alone, not as its text and its parsed tree
 * (a second copy of up to 16 MiB, and far more for a state of many small values). A frame the codec
 * could not read claims nothing: a frame repeating {@code revision} would otherwise be nacked at its
 * last value while another parser reads its first (PROTOCOL.md section 2).
 *
 * @param snapshot whether its {@code type} is {@code snapshot}
 * @param revision its {@code revision}, or 0 when that cannot be read or carried
 */
record SnapshotClaim(boolean snapshot, long revision) {
  static final SnapshotClaim NONE = new SnapshotClaim(false, 0);

  static SnapshotClaim of(String frame) {
    try (JsonParser parser = Mappers.JSON.createParser(frame)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        return NONE;
      }
      String type = null;
      BigDecimal revision = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String name = parser.currentName();
        JsonToken value = parser.nextToken();
        if (name.equals("type") && value == JsonToken.VALUE_STRING) {
          type = parser.getText();
        } else if (name.equals("revision") && value.isNumeric()) {
          revision = parser.getDecimalValue();
        } else {
          parser.skipChildren(); // read through, so that a repeated key or a syntax error deep down is seen
        }
      }
      if (parser.nextToken() != null || !Snapshot.TYPE.equals(type)) {
        return NONE; // bytes after the object, as the codec refuses them
      }
      return new SnapshotClaim(true, carried(revision));
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
  }

  private static long carried(BigDecimal value) {
    boolean carried = value != null && value.signum() > 0 && value.stripTrailingZeros().scale() <= 0
        && value.compareTo(BigDecimal.valueOf(CanonicalJson.MAX_SAFE_INTEGER)) <= 0;
    return carried ? value.longValueExact() : 0;
  }
}
