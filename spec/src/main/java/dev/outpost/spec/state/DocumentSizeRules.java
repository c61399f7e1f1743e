package dev.outpost.spec.state;

import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.json.Problems;
import dev.outpost.spec.model.DataPlaneState;
import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.RoutingTable;
import dev.outpost.spec.protocol.ProtocolCodec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The state must fit in the snapshot frame that carries it ({@link #checkState}), and each document
 * the agent writes must fit where Kubernetes keeps it: one integration in ConfigMap {@code
 * int-<name>}, the routing table in ConfigMap {@code outpost-gateway-routes}, and a ConfigMap holds
 * at most 1 MiB. A state that breaks this is refused up front, naming the field,
 * instead of being nacked halfway through an apply by the API server.
 */
final class DocumentSizeRules {
  /** 1 MiB less room for the ConfigMap's key and metadata; the runtime reads files up to 1 MiB. */
  static final int MAX_DOCUMENT_BYTES = 1_000_000;

  /** A state's compact JSON at most: the frame's 16 MiB less 64 KiB kept for the envelope and signature. */
  static final int MAX_STATE_BYTES = ProtocolCodec.MAX_FRAME_BYTES - 64 * 1024;
  private static final ObjectWriter COMPACT = Mappers.JSON.writer().without(SerializationFeature.INDENT_OUTPUT);

  private DocumentSizeRules() {}

  static void checkIntegration(Integration integration, String path, Problems problems) {
    int bytes = utf8Length(StateCodec.toJson(integration));
    if (bytes > MAX_DOCUMENT_BYTES) {
      problems.add(Problems.field(path, "source"), "makes the integration " + bytes + " bytes as JSON, more than the "
          + MAX_DOCUMENT_BYTES + " bytes it may have (Kubernetes keeps it in a ConfigMap of at most 1 MiB)");
    }
  }

  static void checkRoutingTable(RoutingTable table, Problems problems) {
    int bytes = utf8Length(StateCodec.toJson(table));
    if (bytes > MAX_DOCUMENT_BYTES) {
      problems.add("routes", "make the routing table " + bytes + " bytes as JSON, more than the " + MAX_DOCUMENT_BYTES
          + " bytes it may have (Kubernetes keeps it in a ConfigMap of at most 1 MiB)");
    }
  }

  /**
   * The whole state as the snapshot frame carries it (compact JSON). A frame holds at most 16 MiB
   * (PROTOCOL.md § 2), and its envelope and signature a few hundred bytes: a larger state was accepted
   * by the control plane and then never delivered, the agent dropping the connection on each try.
   */
  static void checkState(DataPlaneState state, Problems problems) {
    long bytes = compactLength(state);
    if (bytes > MAX_STATE_BYTES) {
      problems.add("integrations", "make the state " + bytes + " bytes as JSON, more than the " + MAX_STATE_BYTES
          + " bytes one snapshot frame carries to the agent (16 MiB, PROTOCOL.md § 2): fewer or smaller integrations");
    }
  }

  /** The length of {@code state}'s compact JSON, counted as it is written, never held. */
  private static long compactLength(DataPlaneState state) {
    long[] count = new long[1];
    OutputStream counter = new OutputStream() {
      @Override
      public void write(int b) {
        count[0]++;
      }

      @Override
      public void write(byte[] b, int off, int len) {
        count[0] += len;
      }
    };
    try {
      COMPACT.writeValue(counter, state);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return count[0];
  }

  private static int utf8Length(String json) {
    return json.getBytes(StandardCharsets.UTF_8).length;
  }
}
