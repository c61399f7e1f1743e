import io.vertx.core.AbstractVerticle;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.httpproxy.HttpProxy;

/**
 * Second reference for bench/gateway: vertx-http-proxy alone, with the gateway's Vert.x settings
 * (native epoll, one server and one upstream client per event loop) and nothing else: no
 * authentication, rate limit, header hygiene, telemetry or Quarkus HTTP layer. Its figures are the
 * floor of the building block the gateway is made of, so the bench can say what the gateway's own
 * work costs on top. Usage: java -cp <gateway libs> PlainVertxProxy.java <listen port> <upstream port>
 */
public final class PlainVertxProxy {

  public static void main(String[] args) {
    int listen = Integer.parseInt(args[0]);
    int upstream = Integer.parseInt(args[1]);
    // as the gateway runs: Quarkus' default is one event loop per core (Vert.x's own would be two)
    int eventLoops = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(eventLoops).setPreferNativeTransport(true));
    for (int i = 0; i < eventLoops; i++) {
      vertx.deployVerticle(new AbstractVerticle() {
        @Override
        public void start() {
          HttpProxy proxy = HttpProxy.reverseProxy(vertx.createHttpClient(new HttpClientOptions().setMaxPoolSize(64)))
              .origin(upstream, "127.0.0.1");
          vertx.createHttpServer().requestHandler(proxy).listen(listen, "127.0.0.1");
        }
      });
    }
    System.out.println("plain vertx-http-proxy on " + listen + " (native transport: " + vertx.isNativeTransportEnabled() + ")");
  }
}
