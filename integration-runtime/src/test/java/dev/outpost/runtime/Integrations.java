package dev.outpost.runtime;

import static io.restassured.RestAssured.given;

import dev.outpost.spec.model.Integration;
import dev.outpost.spec.model.SecretRef;
import io.restassured.response.Response;
import dev.outpost.spec.state.StateCodec;
import java.net.URL;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Test helpers: integrations and the admin API as a client sees them. */
public final class Integrations {

  public static final String ADMIN_TOKEN = "test-admin-token-0123456789";

  private Integrations() {}

  public static Integration of(String name, String version, String source) {
    return new Integration(name, "proj-a", version, source, Map.of(), List.of(), 1, null);
  }

  public static Integration of(String name, String version, String source, Map<String, String> config,
      List<SecretRef> secrets) {
    return new Integration(name, "proj-a", version, source, config, secrets, 1, null);
  }

  /** A platform-http route answering {@code body} on {@code path}. */
  public static String constantRoute(String id, String path, String body) {
    return httpRoute(id, path, """
        - setBody:
            constant: "%s"
        """.formatted(body));
  }

  /** A platform-http route on {@code path} running {@code steps} (a YAML list, unindented). */
  public static String httpRoute(String id, String path, String steps) {
    return """
        - route:
            id: %s
            from:
              uri: platform-http:%s
              steps:
        """.formatted(id, path) + steps.strip().indent(8);
  }

  public static String json(Integration integration) {
    return StateCodec.toJson(integration);
  }

  /** PUT through the admin API; the response tells the status. */
  public static Response put(URL management, Integration integration) {
    return given().header("Authorization", "Bearer " + ADMIN_TOKEN)
        .contentType("application/json").body(json(integration))
        .put(base(management) + "outpost/admin/integrations/" + integration.name());
  }

  public static Response delete(URL management, String name) {
    return given().header("Authorization", "Bearer " + ADMIN_TOKEN)
        .delete(base(management) + "outpost/admin/integrations/" + name);
  }

  /** The value of {@code name}'s Prometheus series for {@code integration}, 0 when it has none. */
  public static double metric(URL management, String name, String integration) {
    String prometheus = given().get(base(management) + "q/metrics").then().statusCode(200).extract().asString();
    // a sample taken in a trace carries its exemplar after the value
    Matcher m = Pattern.compile("(?m)^" + name + "\\{[^}]*integration=\"" + integration + "\"[^}]*} (\\S+)(?: # .*)?$")
        .matcher(prometheus);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  /** The root of the server {@code url} points at, ending with a slash (drops Quarkus' {@code /q/}). */
  public static String base(URL url) {
    return url.getProtocol() + "://" + url.getHost() + ":" + url.getPort() + "/";
  }
}
