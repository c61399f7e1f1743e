package dev.outpost.spec.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.ObjectFields;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.json.Quoted;
import dev.outpost.spec.state.Violation;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Encodes protocol messages as JSON text frames and decodes them back with validation.
 *
 * <p>Decoding checks the JSON syntax, the frame size, the {@code type}, and every field's presence,
 * type and range, reporting all problems at once in a {@link MalformedFrameException}. Fields a
 * message does not define are ignored, so that a newer peer can add them. It does not check a
 * snapshot's state or signature: that is {@link SnapshotAcceptance}'s job. Thread-safe.
 */
public final class ProtocolCodec {
  /** The largest frame either side sends or accepts: 16 MiB of UTF-8. */
  public static final int MAX_FRAME_BYTES = 16 * 1024 * 1024;

  private static final ObjectWriter COMPACT = Mappers.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);
  private static final Map<String, Function<ObjectFields, ProtocolMessage>> READERS = Map.of(
      Hello.TYPE, MessageReaders::hello,
      Snapshot.TYPE, MessageReaders::snapshot,
      Ack.TYPE, MessageReaders::ack,
      Nack.TYPE, MessageReaders::nack,
      Status.TYPE, MessageReaders::status,
      StatusAck.TYPE, MessageReaders::statusAck,
      Ping.TYPE, MessageReaders::ping,
      Pong.TYPE, MessageReaders::pong);

  private ProtocolCodec() {}

  /** The message as one compact JSON text, {@code type} first. */
  public static String encode(ProtocolMessage message) {
    ObjectNode frame = Mappers.JSON.createObjectNode().put("type", message.type());
    frame.setAll((ObjectNode) Mappers.JSON.valueToTree(message));
    try {
      return COMPACT.writeValueAsString(frame);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException("cannot encode " + message.type(), e);
    }
  }

  public static ProtocolMessage decode(String frame) throws MalformedFrameException {
    if (frame.length() > MAX_FRAME_BYTES
        || (long) frame.length() * 3 > MAX_FRAME_BYTES && frame.getBytes(StandardCharsets.UTF_8).length > MAX_FRAME_BYTES) {
      throw malformed("", "frame is larger than " + MAX_FRAME_BYTES + " bytes");
    }
    JsonNode tree;
    try {
      tree = Mappers.JSON.readTree(frame);
    } catch (JsonProcessingException e) {
      throw malformed("", "not valid JSON: " + e.getOriginalMessage().lines().findFirst().orElse(""));
    }
    if (tree == null || !tree.isObject()) {
      throw malformed("", "must be a JSON object" + ObjectFields.found(tree));
    }
    JsonNode type = tree.get("type");
    if (type == null) {
      throw malformed("type", "is required");
    }
    Function<ObjectFields, ProtocolMessage> reader = type.isTextual() ? READERS.get(type.textValue()) : null;
    if (reader == null) {
      throw malformed("type", "must be one of " + String.join(", ", MessageReaders.TYPES)
          + (type.isTextual() ? ", found " + Quoted.of(type.textValue()) : ObjectFields.found(type)));
    }
    Problems problems = new Problems();
    ProtocolMessage message = reader.apply(ObjectFields.of(tree, "", problems).orElseThrow());
    if (!problems.isEmpty()) {
      throw new MalformedFrameException(problems.all());
    }
    return message;
  }

  private static MalformedFrameException malformed(String path, String message) {
    return new MalformedFrameException(List.of(new Violation(path, message)));
  }
}
