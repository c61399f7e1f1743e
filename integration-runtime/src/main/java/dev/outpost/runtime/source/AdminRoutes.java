package dev.outpost.runtime.source;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.runtime.deploy.IntegrationDeployer;
import dev.outpost.runtime.status.IntegrationStatus;
import dev.outpost.spec.model.Integration;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.jboss.logging.Logger;

/**
 * The internal admin API, on the management port only (never exposed outside the cluster), and
 * only when {@code outpost.runtime.admin.token} is set; every call needs
 * {@code Authorization: Bearer <token>}.
 *
 * <ul>
 *   <li>{@code PUT /outpost/admin/integrations/{name}} with an {@code Integration} JSON body deploys
 *       or upgrades it: 200 with its status when {@code Ready}, 422 with the status when
 *       {@code Failed}, 400 when the body is not an integration named {@code name};
 *   <li>{@code DELETE /outpost/admin/integrations/{name}}: 204, or 404 when it does not run.
 * </ul>
 */
@ApplicationScoped
public class AdminRoutes {

  private static final Logger LOG = Logger.getLogger(AdminRoutes.class);
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private final IntegrationDeployer deployer;
  private final IntegrationJson json;
  private final RuntimeConfig config;

  AdminRoutes(IntegrationDeployer deployer, IntegrationJson json, RuntimeConfig config) {
    this.deployer = deployer;
    this.json = json;
    this.config = config;
  }

  void register(@Observes ManagementInterface management) {
    if (config.admin().token().isEmpty()) {
      LOG.info("admin API off: outpost.runtime.admin.token is not set");
      return;
    }
    byte[] token = config.admin().token().get().getBytes(StandardCharsets.UTF_8);
    var router = management.router();
    router.route("/outpost/admin/*").handler(ctx -> authenticate(ctx, token));
    router.route("/outpost/admin/*").handler(BodyHandler.create().setBodyLimit(MAX_BODY_BYTES));
    // unordered: ordered blocking handlers run one call per event loop at a time, so an upgrade
    // draining a stuck request would hold up every other deployment behind it
    router.put("/outpost/admin/integrations/:name").blockingHandler(this::deploy, false);
    router.delete("/outpost/admin/integrations/:name").blockingHandler(this::remove, false);
  }

  private static void authenticate(RoutingContext ctx, byte[] token) {
    String header = ctx.request().getHeader("Authorization");
    byte[] presented = header != null && header.startsWith("Bearer ")
        ? header.substring("Bearer ".length()).getBytes(StandardCharsets.UTF_8)
        : new byte[0];
    if (MessageDigest.isEqual(presented, token)) {
      ctx.next();
    } else {
      ctx.response().setStatusCode(401).putHeader("WWW-Authenticate", "Bearer")
          .putHeader("content-type", "application/json")
          .end(new JsonObject().put("error", "a valid admin bearer token is required").encode());
    }
  }

  private void deploy(RoutingContext ctx) {
    String name = ctx.pathParam("name");
    Integration integration;
    try {
      integration = json.read(ctx.body().asString());
      if (!name.equals(integration.name())) {
        throw new DeployException("name: the body's name '" + integration.name()
            + "' differs from the path's '" + name + "'");
      }
    } catch (DeployException e) {
      error(ctx, 400, e.getMessage());
      return;
    }
    IntegrationStatus status = deployer.deploy(integration);
    ctx.response().setStatusCode(IntegrationStatus.READY.equals(status.phase()) ? 200 : 422)
        .putHeader("content-type", "application/json")
        .end(Json.encode(status));
  }

  private void remove(RoutingContext ctx) {
    boolean removed = deployer.remove(ctx.pathParam("name"));
    if (removed) {
      ctx.response().setStatusCode(204).end();
    } else {
      error(ctx, 404, "integration '" + ctx.pathParam("name") + "' is not running");
    }
  }

  private static void error(RoutingContext ctx, int status, String message) {
    ctx.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
