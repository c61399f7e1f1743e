package dev.outpost.observability.ingest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.WireFormat;
import java.io.IOException;

/**
 * An upper estimate of the heap an OTLP body holds while it is decoded and stored, from a pass over
 * its structure that allocates nothing per element. Each element (JSON value, protobuf field) costs
 * objects in every tree it passes through; each byte is copied a few times as text. Measured worst
 * cases, then rounded up: JSON arrays of empty values and protobuf maps of tiny attributes.
 */
final class DecodeCost {

  /** Heap per JSON token: Jackson's node, protobuf's JSON node, the message field, the stored map entry. */
  static final long PER_JSON_TOKEN = 250;
  /** Heap per protobuf field: the message field or object, the stored map entry. */
  static final long PER_PROTOBUF_FIELD = 100;
  /** Copies of the text on the way (JSON: two trees, a string, the message, the stored record). */
  static final long PER_JSON_BYTE = 16;
  static final long PER_PROTOBUF_BYTE = 4;
  /** Protobuf's own nesting limit: deeper bodies fail to parse anyway. */
  private static final int MAX_DEPTH = 100;
  private static final JsonFactory JSON = new JsonFactory();

  private DecodeCost() {}

  static long of(byte[] body, OtlpBodies.Format format, Descriptor request) {
    return format == OtlpBodies.Format.JSON ? json(body) : protobuf(body, request);
  }

  private static long json(byte[] body) {
    long tokens = 0;
    try (JsonParser parser = JSON.createParser(body)) {
      while (parser.nextToken() != null) {
        tokens++;
      }
    } catch (IOException malformed) {
      // what was counted so far; the parse proper says what is wrong
    }
    return body.length * PER_JSON_BYTE + tokens * PER_JSON_TOKEN;
  }

  private static long protobuf(byte[] body, Descriptor request) {
    long[] fields = {0};
    try {
      count(CodedInputStream.newInstance(body), request, 0, fields);
    } catch (IOException | RuntimeException malformed) {
      // what was counted so far; the parse proper says what is wrong
    }
    return body.length * PER_PROTOBUF_BYTE + fields[0] * PER_PROTOBUF_FIELD;
  }

  private static void count(CodedInputStream in, Descriptor type, int depth, long[] fields) throws IOException {
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      fields[0]++;
      FieldDescriptor field = type.findFieldByNumber(WireFormat.getTagFieldNumber(tag));
      if (field != null && field.getJavaType() == FieldDescriptor.JavaType.MESSAGE && depth < MAX_DEPTH
          && WireFormat.getTagWireType(tag) == WireFormat.WIRETYPE_LENGTH_DELIMITED) {
        int limit = in.pushLimit(in.readRawVarint32());
        count(in, field.getMessageType(), depth + 1, fields);
        in.popLimit(limit);
      } else if (!in.skipField(tag)) {
        return;
      }
    }
  }
}
