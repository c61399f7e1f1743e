package dev.outpost.agent.link;

import com.fasterxml.jackson.databind.JsonNode;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.protocol.Snapshot;
import java.io.IOException;
import java.math.BigDecimal;

/**
 * What a frame that failed to decode claims to be: a snapshot or not, and its revision when that is
 * a whole number the protocol can carry (1 to 2^53 - 1), else 0. Read with the parser the codec uses
 * ({@link Mappers#JSON}: duplicate keys refused, decimals exact), so that nothing is read out of a
 * frame the codec could not read: a frame repeating {@code revision} would otherwise be nacked at
 * its last value while another parser reads its first (PROTOCOL.md section 2).
 *
 * @param snapshot whether its {@code type} is {@code snapshot}
 * @param revision its {@code revision}, or 0 when that cannot be read or carried
 */
record SnapshotClaim(boolean snapshot, long revision) {
  static final SnapshotClaim NONE = new SnapshotClaim(false, 0);

  static SnapshotClaim of(String frame) {
    JsonNode tree;
    try {
      tree = Mappers.JSON.readTree(frame);
    } catch (IOException | RuntimeException e) {
      return NONE;
    }
    if (tree == null || !Snapshot.TYPE.equals(tree.path("type").textValue())) {
      return NONE;
    }
    return new SnapshotClaim(true, carried(tree.path("revision")));
  }

  private static long carried(JsonNode revision) {
    if (!revision.isNumber()) {
      return 0;
    }
    BigDecimal value = revision.decimalValue();
    boolean carried = value.signum() > 0 && value.stripTrailingZeros().scale() <= 0
        && value.compareTo(BigDecimal.valueOf(CanonicalJson.MAX_SAFE_INTEGER)) <= 0;
    return carried ? value.longValueExact() : 0;
  }
}
