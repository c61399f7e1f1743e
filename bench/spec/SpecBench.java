import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.outpost.spec.canonical.CanonicalJson;
import dev.outpost.spec.json.Mappers;
import dev.outpost.spec.protocol.ProtocolCodec;
import dev.outpost.spec.protocol.Snapshot;
import dev.outpost.spec.signature.Ed25519Keys;
import dev.outpost.spec.signature.SnapshotSignature;
import dev.outpost.spec.signature.SnapshotSigner;
import dev.outpost.spec.signature.SnapshotVerifier;
import dev.outpost.spec.state.StateCodec;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.concurrent.Callable;

/**
 * How long the agent's work on one snapshot takes, by state size: decode the frame, validate the
 * state, canonicalise it, verify its signature; and the control plane's signing. The reference,
 * measured in the same run, is Jackson parsing the same JSON text into a tree and writing it back:
 * the least any JSON processing of the document costs.
 */
public class SpecBench {
  static volatile Object sink;

  public static void main(String[] args) throws Exception {
    KeyPair keys = Ed25519Keys.generate();
    SnapshotSigner signer = new SnapshotSigner(keys);
    SnapshotVerifier verifier = new SnapshotVerifier(keys.getPublic());
    System.out.printf("%-12s %8s  %-38s %10s %8s%n", "state", "bytes", "operation", "ms/op", "x ref");
    for (int size : new int[] {10, 100, 1000}) {
      ObjectNode state = state(size);
      String json = Mappers.JSON.writeValueAsString(state);
      Snapshot snapshot = Snapshot.signed(state, signer);
      String frame = ProtocolCodec.encode(snapshot);
      SnapshotSignature signature = snapshot.signature();
      String label = size + " int+rt";
      int bytes = frame.getBytes(StandardCharsets.UTF_8).length;
      double ref = measure(() -> Mappers.JSON.writeValueAsString(Mappers.JSON.readTree(json)));
      report(label, bytes, "reference: Jackson parse + write", ref, ref);
      report(label, bytes, "ProtocolCodec.decode (frame)", measure(() -> ProtocolCodec.decode(frame)), ref);
      report(label, bytes, "StateCodec.read (validate)", measure(() -> StateCodec.read(state)), ref);
      report(label, bytes, "StateCodec.readJson (parse+validate)", measure(() -> StateCodec.readJson(json)), ref);
      report(label, bytes, "CanonicalJson.toBytes", measure(() -> CanonicalJson.toBytes(state)), ref);
      report(label, bytes, "SnapshotSigner.sign", measure(() -> signer.sign(state)), ref);
      report(label, bytes, "SnapshotVerifier.verify", measure(() -> {
        verifier.verify(state, signature);
        return null;
      }), ref);
    }
  }

  /** {@code size} integrations, each with a route, config, a secret reference and a small Camel source. */
  static ObjectNode state(int size) {
    ObjectNode state = Mappers.JSON.createObjectNode()
        .put("apiVersion", "outpost.dev/v1").put("revision", 7).put("dataPlane", "bench");
    state.putArray("identityProviders").addObject().put("name", "dev").put("issuer", "http://127.0.0.1:7070/idp")
        .put("jwksUri", "http://127.0.0.1:7070/idp/jwks");
    ArrayNode integrations = state.putArray("integrations");
    ArrayNode routes = state.putArray("routes");
    for (int i = 0; i < size; i++) {
      ObjectNode integration = integrations.addObject().put("name", "int-" + i).put("project", "p" + (i % 7))
          .put("version", "1.0." + i).put("replicas", 2)
          .put("source", """
              - route:
                  id: r%d
                  from:
                    uri: "platform-http:/svc-%d"
                    steps:
                      - setHeader:
                          name: Authorization
                          simple: "Bearer {{secret.creds-%d.token}}"
                      - to: "{{config.BACKEND_URL}}?bridgeEndpoint=true"
              """.formatted(i, i, i));
      integration.putObject("config").put("BACKEND_URL", "https://backend-" + i + ".internal.example/api");
      integration.putArray("secrets").addObject().put("name", "creds-" + i).put("key", "token");
      ObjectNode route = routes.addObject().put("id", "route-" + i).put("project", "p" + (i % 7))
          .put("integration", "int-" + i).put("timeoutMillis", 5000);
      route.putObject("match").put("pathPrefix", "/svc-" + i).putArray("methods").add("GET").add("POST");
      route.putObject("auth").putObject("jwt").putArray("identityProviders").add("dev");
      route.putObject("rateLimit").put("requests", 100).put("periodSeconds", 60).put("key", "subject");
    }
    return state;
  }

  /** Mean milliseconds per call over at least two seconds, after a warm-up of the same length. */
  static double measure(Callable<?> operation) throws Exception {
    run(operation, 2_000);
    return run(operation, 2_000);
  }

  static double run(Callable<?> operation, long millis) throws Exception {
    long start = System.nanoTime();
    long deadline = start + millis * 1_000_000;
    long calls = 0;
    long now;
    do {
      sink = operation.call();
      calls++;
      now = System.nanoTime();
    } while (now < deadline);
    return (now - start) / 1e6 / calls;
  }

  static void report(String label, int bytes, String operation, double millis, double reference) {
    System.out.printf("%-12s %8d  %-38s %10.3f %8.1f%n", label, bytes, operation, millis, millis / reference);
  }
}
