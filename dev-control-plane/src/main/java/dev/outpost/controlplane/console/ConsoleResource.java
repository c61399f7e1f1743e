package dev.outpost.controlplane.console;

import dev.outpost.controlplane.ControlPlaneConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import java.util.Map;

/**
 * The console page's entry and configuration. The page itself is static
 * ({@code META-INF/resources/console/}); it calls observability-api from the browser.
 */
@Path("/console/config.json")
public class ConsoleResource {
  private final ControlPlaneConfig config;

  public ConsoleResource(ControlPlaneConfig config) {
    this.config = config;
  }

  /** {@code /console} without the slash goes to the page. */
  void redirect(@Observes Router router) {
    router.get("/console").order(-100).handler(rc -> {
      if ("/console".equals(rc.normalizedPath())) {
        rc.response().setStatusCode(302).putHeader("Location", "/console/").end();
      } else {
        rc.next();
      }
    });
  }

  @GET
  @Produces(MediaType.APPLICATION_JSON)
  public Map<String, String> pageConfig() {
    return Map.of("observabilityUrl", config.console().observabilityUrl(), "issuer", config.idp().issuer());
  }
}
