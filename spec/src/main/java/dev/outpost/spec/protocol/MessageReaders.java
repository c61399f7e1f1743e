package dev.outpost.spec.protocol;

import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.signature.SnapshotSignature;
import dev.outpost.spec.state.Violation;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Reads each message kind from a frame's fields, reporting missing fields, wrong types and values
 * out of range. Returned messages are partial when problems were reported and must be discarded.
 */
final class MessageReaders {
  static final List<String> TYPES = List.of(Hello.TYPE, Snapshot.TYPE, Ack.TYPE, Nack.TYPE, Status.TYPE,
      StatusAck.TYPE, Ping.TYPE, Pong.TYPE);
  private static final int MAX_NONCE = 128;
  private static final Pattern KEY_ID = Pattern.compile("[0-9a-f]{16}");

  private MessageReaders() {}

  static Hello hello(ObjectFields fields) {
    return new Hello(
        atLeast(fields, "protocol", fields.requiredInt("protocol"), 1),
        nonEmpty(fields, "dataPlane", fields.requiredString("dataPlane")),
        nonEmpty(fields, "agentVersion", fields.requiredString("agentVersion")),
        atLeast(fields, "lastAppliedRevision", fields.requiredLong("lastAppliedRevision"), 0),
        fields.stringList("capabilities"));
  }

  static Snapshot snapshot(ObjectFields fields) {
    return new Snapshot(
        atLeast(fields, "revision", fields.requiredLong("revision"), 1),
        fields.requiredObjectNode("state"),
        fields.optionalObject("signature", MessageReaders::signature));
  }

  /**
   * Refuses, as a malformed frame, an algorithm or key id the protocol cannot name (PROTOCOL.md
   * sections 3.2 and 9): quoted back whole, a 4 MiB key id ran the agent out of memory.
   */
  private static SnapshotSignature signature(ObjectFields fields) {
    String algorithm = fields.requiredString("algorithm");
    if (algorithm != null && !SnapshotSignature.ALGORITHM.equals(algorithm)) {
      fields.problems().add(fields.pathOf("algorithm"),
          "must be \"" + SnapshotSignature.ALGORITHM + "\", found " + Quoted.of(algorithm));
    }
    String keyId = fields.requiredString("keyId");
    if (keyId != null && !KEY_ID.matcher(keyId).matches()) {
      fields.problems().add(fields.pathOf("keyId"),
          "must be a key id: 16 lower-case hex characters, found " + Quoted.of(keyId));
    }
    return new SnapshotSignature(algorithm, keyId, fields.requiredString("value"));
  }

  static Ack ack(ObjectFields fields) {
    return new Ack(atLeast(fields, "revision", fields.requiredLong("revision"), 1));
  }

  static Nack nack(ObjectFields fields) {
    long revision = atLeast(fields, "revision", fields.requiredLong("revision"), 0);
    List<Violation> errors = fields.objectList("errors",
        error -> new Violation(error.requiredString("path"), error.requiredString("message")));
    if (errors.isEmpty() && fields.problems().isEmpty()) {
      fields.problems().add(fields.pathOf("errors"), "must list at least one error");
    }
    return new Nack(revision, errors);
  }

  static Status status(ObjectFields fields) {
    return new Status(
        atLeast(fields, "seq", fields.requiredLong("seq"), 1),
        nonEmpty(fields, "dataPlane", fields.requiredString("dataPlane")),
        instant(fields, "observedAt"),
        atLeast(fields, "lastAppliedRevision", fields.requiredLong("lastAppliedRevision"), 0),
        atLeast(fields, "lastAttemptedRevision", fields.requiredLong("lastAttemptedRevision"), 0),
        fields.objectList("integrations", MessageReaders::integrationStatus),
        fields.requiredObject("gateway", MessageReaders::gatewayStatus));
  }

  private static Status.IntegrationStatus integrationStatus(ObjectFields fields) {
    String phase = fields.requiredString("phase");
    if (phase != null && !Status.IntegrationStatus.PHASES.contains(phase)) {
      fields.problems().add(fields.pathOf("phase"), "must be one of "
          + String.join(", ", Status.IntegrationStatus.PHASES) + ", found " + Quoted.of(phase));
    }
    return new Status.IntegrationStatus(
        nonEmpty(fields, "name", fields.requiredString("name")),
        fields.requiredString("project"),
        fields.requiredString("version"),
        phase,
        atLeast(fields, "readyReplicas", fields.requiredInt("readyReplicas"), 0),
        atLeast(fields, "desiredReplicas", fields.requiredInt("desiredReplicas"), 0),
        fields.optionalString("message"));
  }

  private static Status.GatewayStatus gatewayStatus(ObjectFields fields) {
    return new Status.GatewayStatus(
        atLeast(fields, "revision", fields.longOr("revision", 0), 0),
        atLeast(fields, "routes", fields.requiredInt("routes"), 0),
        fields.requiredBoolean("ready"));
  }

  static StatusAck statusAck(ObjectFields fields) {
    return new StatusAck(atLeast(fields, "seq", fields.requiredLong("seq"), 1));
  }

  static Ping ping(ObjectFields fields) {
    return new Ping(nonce(fields));
  }

  static Pong pong(ObjectFields fields) {
    return new Pong(nonce(fields));
  }

  private static String nonce(ObjectFields fields) {
    String nonce = nonEmpty(fields, "nonce", fields.requiredString("nonce"));
    if (nonce != null && nonce.length() > MAX_NONCE) {
      fields.problems().add(fields.pathOf("nonce"), "must be at most " + MAX_NONCE + " characters");
    }
    return nonce;
  }

  private static Instant instant(ObjectFields fields, String name) {
    String text = fields.requiredString(name);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      fields.problems().add(fields.pathOf(name), "must be an RFC 3339 UTC timestamp such as 2026-01-31T12:00:00Z");
      return null;
    }
  }

  /** Also at most 2^53 − 1: PROTOCOL.md allows no larger number, and JavaScript peers would round it. */
  private static long atLeast(ObjectFields fields, String name, long value, long minimum) {
    if (fields.has(name) && !fields.problems().hasAt(fields.pathOf(name))) {
      if (value < minimum) {
        fields.problems().add(fields.pathOf(name), "must be at least " + minimum);
      } else if (value > CanonicalJson.MAX_SAFE_INTEGER) {
        fields.problems().add(fields.pathOf(name), "must be at most " + CanonicalJson.MAX_SAFE_INTEGER + " (2^53 - 1)");
      }
    }
    return value;
  }

  private static int atLeast(ObjectFields fields, String name, int value, int minimum) {
    return (int) atLeast(fields, name, (long) value, minimum);
  }

  private static String nonEmpty(ObjectFields fields, String name, String value) {
    if (value != null && value.isEmpty()) {
      fields.problems().add(fields.pathOf(name), "must not be empty");
    }
    return value;
  }
}
