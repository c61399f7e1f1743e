import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

/**
 * The reference of the runtime benchmark, run in the same process set as the runtime: a plain
 * Vert.x server doing what the benchmarked integrations do, and the CRM backend both call.
 *
 * <ul>
 *   <li>{@code GET /minimal} answers a constant (the platform-http → setBody integration);
 *   <li>{@code GET /facade?id=N} fetches {@code /crm/contacts/N} from the backend with a bearer
 *       token and reshapes the JSON (the REST façade of examples/two-projects.yaml).
 * </ul>
 *
 * Usage: {@code java -cp <vert.x jars> PlainVertx.java <reference-port> <backend-port>}
 */
public class PlainVertx {

  static final String CRM = "{\"contactId\": \"42\", \"firstName\": \"Ada\", \"lastName\": \"Lovelace\","
      + " \"emails\": [{\"address\": \"ada@example.com\", \"primary\": true}], \"internalScore\": 0.93}";

  public static void main(String[] args) {
    int referencePort = Integer.parseInt(args[0]);
    int backendPort = Integer.parseInt(args[1]);
    Vertx vertx = Vertx.vertx();
    vertx.createHttpServer()
        .requestHandler(req -> req.response().putHeader("Content-Type", "application/json").end(CRM))
        .listen(backendPort, "127.0.0.1");
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64).setKeepAlive(true));
    vertx.createHttpServer().requestHandler(req -> {
      if (req.path().equals("/minimal")) {
        req.response().end("hello");
        return;
      }
      if (!req.path().equals("/facade")) {
        req.response().setStatusCode(404).end();
        return;
      }
      RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setHost("127.0.0.1")
          .setPort(backendPort).setURI("/crm/contacts/" + req.getParam("id"))
          .putHeader("Authorization", "Bearer bench-crm-token");
      client.request(options)
          .compose(r -> r.send().compose(resp -> resp.body()))
          .onSuccess(body -> {
            JsonObject in = body.toJsonObject();
            JsonObject out = new JsonObject()
                .put("id", in.getString("contactId"))
                .put("name", in.getString("firstName") + " " + in.getString("lastName"))
                .put("email", in.getJsonArray("emails").getJsonObject(0).getString("address"));
            req.response().putHeader("Content-Type", "application/json").end(out.encode());
          })
          .onFailure(e -> req.response().setStatusCode(502).end());
    }).listen(referencePort, "127.0.0.1");
    System.out.println("reference on " + referencePort + ", backend on " + backendPort);
  }
}
