package dev.outpost.observability.store.wal;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.zip.CRC32C;

/**
 * Frame layout: {@code [int length][int crc32c][body]}, body = kind, firstSeq, count, receivedAt,
 * bound project, bound integration, payload. The checksum covers the body, not the length. A frame
 * whose length or checksum does not match is the torn end of a crashed write, or a frame damaged on
 * disk when a whole one follows it ({@link SegmentReader}).
 */
final class FrameCodec {

  static final int HEADER = 8;

  private FrameCodec() {}

  static ByteBuffer encode(Frame frame) {
    byte[] project = frame.boundProject().getBytes(StandardCharsets.UTF_8);
    byte[] integration = frame.boundIntegration().getBytes(StandardCharsets.UTF_8);
    int bodyLength = 1 + 8 + 4 + 8 + 4 + project.length + 4 + integration.length + frame.payload().length;
    ByteBuffer buffer = ByteBuffer.allocate(HEADER + bodyLength);
    buffer.putInt(bodyLength).putInt(0);
    buffer.put((byte) frame.kind().ordinal()).putLong(frame.firstSeq()).putInt(frame.count())
        .putLong(frame.receivedAtMillis());
    buffer.putInt(project.length).put(project).putInt(integration.length).put(integration).put(frame.payload());
    CRC32C crc = new CRC32C();
    crc.update(buffer.array(), HEADER, bodyLength);
    buffer.putInt(4, (int) crc.getValue());
    return buffer.flip();
  }

  /** Decodes a body whose checksum matched; empty when it is not a frame this codec wrote. */
  static Optional<Frame> decodeBody(ByteBuffer body) {
    try {
      int kind = body.get();
      long firstSeq = body.getLong();
      int count = body.getInt();
      long receivedAt = body.getLong();
      String project = string(body);
      String integration = string(body);
      byte[] payload = new byte[body.remaining()];
      body.get(payload);
      return Optional.of(new Frame(Frame.Kind.values()[kind], firstSeq, count, receivedAt, project, integration, payload));
    } catch (RuntimeException malformed) {
      return Optional.empty();
    }
  }

  static boolean checksumMatches(ByteBuffer body, int expected) {
    CRC32C crc = new CRC32C();
    crc.update(body.duplicate());
    return (int) crc.getValue() == expected;
  }

  private static String string(ByteBuffer body) {
    byte[] bytes = new byte[body.getInt()];
    body.get(bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
