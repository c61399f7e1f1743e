package dev.outpost.observability.ingest;

import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.DiscardUnknownFieldsParser;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;
import com.google.protobuf.Parser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.function.LongConsumer;
import java.util.zip.GZIPInputStream;

/** Request and response bodies of OTLP/HTTP: encodings, compression, and the error Status. */
final class OtlpBodies {

  enum Format {
    PROTOBUF("application/x-protobuf", "protobuf"),
    JSON("application/json", "JSON");

    final String contentType;
    /** How messages name the format. */
    final String label;

    Format(String contentType, String label) {
      this.contentType = contentType;
      this.label = label;
    }
  }

  private OtlpBodies() {}

  /** The format of a Content-Type, or null when OTLP/HTTP does not define it. */
  static Format format(String contentType) {
    if (contentType == null) {
      return null;
    }
    String type = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
    return switch (type) {
      case "application/x-protobuf", "application/protobuf" -> Format.PROTOBUF;
      case "application/json" -> Format.JSON;
      default -> null;
    };
  }

  /**
   * The body as sent, gunzipped when {@code Content-Encoding: gzip}, at most {@code max} bytes;
   * {@code growing} hears the size gunzipped so far, and may refuse by throwing.
   */
  static byte[] decoded(byte[] body, String contentEncoding, int max, LongConsumer growing) {
    String encoding = contentEncoding == null ? "identity" : contentEncoding.trim().toLowerCase(Locale.ROOT);
    switch (encoding) {
      case "", "identity":
        return body;
      case "gzip":
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(body))) {
          // grown as bytes come (at most twice what `growing` was told, and the final copy): sized at 8x
          // the body up front, 20 requests of 4 MiB held 640 MiB before any was counted against decode memory
          ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(max, Math.max(16384, body.length)));
          byte[] chunk = new byte[16384];
          for (int n = in.read(chunk); n >= 0; n = in.read(chunk)) {
            if (out.size() + n > max) {
              throw new IngestException(413, "body is larger than " + max + " bytes once decompressed");
            }
            growing.accept((long) out.size() + n);
            out.write(chunk, 0, n);
          }
          return out.toByteArray();
        } catch (EOFException e) {
          // cut short in its header or trailer, Java's EOFException has no message ("not valid gzip: null")
          throw new IngestException(400, "body is not valid gzip: it ends early");
        } catch (IOException e) {
          throw new IngestException(400, "body is not valid gzip: " + e.getMessage());
        }
      default:
        throw new IngestException(415, "Content-Encoding '" + contentEncoding + "' is not supported; use gzip or none");
    }
  }

  static <T extends Message> T parse(byte[] body, Format format, Parser<T> parser, Message.Builder builder,
      String what) {
    try {
      if (format == Format.PROTOBUF) {
        // fields the schema does not know are dropped as they are read, not kept: a group of them
        // passed the decode-memory estimate as one field and held some 50 times its size in memory
        return DiscardUnknownFieldsParser.wrap(parser).parseFrom(body);
      }
      OtlpJson.parse(body, builder);
      // JSON may carry text protobuf cannot encode (an unpaired surrogate such as U+DC00); the journal keeps
      // the protobuf encoding, where it becomes '?'. Storing that same encoding now keeps a record
      // identical before and after a crash replay.
      return parser.parseFrom(builder.build().toByteString());
    } catch (InvalidProtocolBufferException e) {
      throw new IngestException(400, "body is not a valid protobuf " + what + ": " + e.getMessage());
    } catch (OtlpJson.InvalidOtlpException e) {
      throw new IngestException(400, e.getMessage());
    }
  }

  static byte[] encode(Message message, Format format) {
    return format == Format.PROTOBUF ? message.toByteArray()
        : OtlpJson.print(message).getBytes(java.nio.charset.StandardCharsets.UTF_8);
  }

  /** A google.rpc.Status (code, message) as OTLP/HTTP error bodies carry it. */
  static byte[] status(int grpcCode, String message, Format format) {
    if (format == Format.JSON || format == null) {
      // quoted as JSON quotes it: control characters from the request (a TAB in an id) stay valid JSON
      String escaped = new String(com.fasterxml.jackson.core.io.JsonStringEncoder.getInstance().quoteAsString(message));
      return ("{\"code\":" + grpcCode + ",\"message\":\"" + escaped + "\"}")
          .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }
    try {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      CodedOutputStream out = CodedOutputStream.newInstance(bytes);
      out.writeInt32(1, grpcCode);
      out.writeString(2, message);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The gRPC code matching an HTTP status, for the Status body. */
  static int grpcCode(int httpStatus) {
    return switch (httpStatus) {
      case 400, 413, 415 -> 3; // INVALID_ARGUMENT
      case 401 -> 16; // UNAUTHENTICATED
      case 408 -> 4; // DEADLINE_EXCEEDED
      case 429 -> 8; // RESOURCE_EXHAUSTED
      case 503 -> 14; // UNAVAILABLE
      default -> 2; // UNKNOWN
    };
  }
}
