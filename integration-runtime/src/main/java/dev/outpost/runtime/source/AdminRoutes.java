package dev.outpost.runtime.source;

import dev.outpost.runtime.config.RuntimeConfig;
import dev.outpost.runtime.deploy.DeployException;
import dev.outpost.runtime.deploy.IntegrationDeployer;
import dev.outpost.runtime.status.IntegrationStatus;
import dev.outpost.spec.model.Integration;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.quarkus.vertx.http.ManagementInterface;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.WorkerExecutor;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
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
 * Every refusal is {@code {"error": "..."}}: 413 for a body over 1 MiB, 405 for another method, 404
 * for another path, 500 (logged with its stack) when a call fails unexpectedly.
 */
@ApplicationScoped
public class AdminRoutes {

  private static final Logger LOG = Logger.getLogger(AdminRoutes.class);
  /** Admin calls run at once at most; more wait for one of these threads. */
  static final int ADMIN_THREADS = 8;
  /**
   * The body limit: quarkus.management.limits.max-body-size (1M), applied by the body handler Quarkus
   * puts before every management route (one of ours read nothing: the body was read already).
   */
  static final int MAX_BODY_BYTES = 1024 * 1024;

  private final IntegrationDeployer deployer;
  private final IntegrationJson json;
  private final RuntimeConfig config;
  private final Vertx vertx;

  AdminRoutes(IntegrationDeployer deployer, IntegrationJson json, RuntimeConfig config, Vertx vertx) {
    this.deployer = deployer;
    this.json = json;
    this.config = config;
    this.vertx = vertx;
  }

  void register(@Observes ManagementInterface management) {
    if (config.admin().token().isEmpty()) {
      LOG.info("admin API off: outpost.runtime.admin.token is not set");
      return;
    }
    byte[] token = config.admin().token().get().getBytes(StandardCharsets.UTF_8);
    var router = management.router();
    router.route("/outpost/admin/*").handler(ctx -> authenticate(ctx, token));
    // threads of their own, not the worker pool the integrations' exchanges run on: integrations
    // stuck on their backends may hold every worker, and the operator must still be able to remove
    // them; unordered, so that an upgrade draining a stuck request holds up no other deployment
    WorkerExecutor admin = vertx.createSharedWorkerExecutor("outpost-admin", ADMIN_THREADS);
    router.put("/outpost/admin/integrations/:name").handler(ctx -> onAdminThread(admin, ctx, this::deploy));
    router.delete("/outpost/admin/integrations/:name").handler(ctx -> onAdminThread(admin, ctx, this::remove));
    // what no handler above takes is refused here, in the API's shape, not on Quarkus' own page
    router.route("/outpost/admin/integrations/:name").handler(ctx -> {
      ctx.response().putHeader("Allow", "PUT, DELETE");
      error(ctx, 405, ctx.request().method().name() + " is not an admin call: PUT deploys, DELETE removes");
    });
    router.route("/outpost/admin/*").handler(ctx -> error(ctx, 404, "no admin call at " + ctx.request().path()));
    router.route("/outpost/admin/*").failureHandler(AdminRoutes::failed);
  }

  /**
   * A refusal of the request (the body handler's 413; Vert.x's 400 for a request without a Host), or
   * a call that failed unexpectedly: logged once, with its stack.
   */
  private static void failed(RoutingContext ctx) {
    int status = ctx.statusCode();
    if (status == 413) {
      error(ctx, 413, "the body exceeds " + MAX_BODY_BYTES + " bytes");
      return;
    }
    if (status >= 400 && status < 500) {
      error(ctx, status, HttpResponseStatus.valueOf(status).reasonPhrase());
      return;
    }
    LOG.errorf(ctx.failure(), "admin call %s %s failed: answered 500", ctx.request().method().name(),
        ctx.request().path());
    if (!ctx.response().headWritten()) {
      error(ctx, 500, "the admin call failed; it has been logged");
    } else if (!ctx.response().ended()) {
      ctx.request().connection().close();
    }
  }

  private static void onAdminThread(WorkerExecutor admin, RoutingContext ctx, Handler<RoutingContext> call) {
    admin.executeBlocking(() -> {
      call.handle(ctx);
      return null;
    }, false).onFailure(ctx::fail);
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
