package dev.outpost.controlplane;

import dev.outpost.spec.json.Quoted;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Set;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The framework's own refusals as {@link ApiError}s, like every other answer of the API: a method or
 * a body type a path does not take (a 405 and a 415 had empty bodies) and a path of the API that does
 * not exist (Quarkus' HTML page). The console's static pages keep Quarkus' answers. What is no refusal
 * but a failure is {@link UnexpectedFailures}'.
 */
@Singleton
public class FrameworkErrors {
  private final AllowedMethods allowedMethods;

  public FrameworkErrors(AllowedMethods allowedMethods) {
    this.allowedMethods = allowedMethods;
  }

  /** With the Allow RFC 9110 section 15.5.6 requires of a 405, which RESTEasy's has not, and its methods named. */
  @ServerExceptionMapper
  public Response notAllowed(NotAllowedException e, ContainerRequestContext request) {
    Set<String> allowed = allowedMethods.of(request.getUriInfo().getPath());
    String notAllowed = request.getMethod() + " is not a method of " + path(request);
    return ApiError.methodNotAllowed(allowed.isEmpty() ? notAllowed : notAllowed + ": it takes " + String.join(", ", allowed),
        allowed);
  }

  @ServerExceptionMapper
  public Response notSupported(NotSupportedException e, ContainerRequestContext request) {
    String type = request.getHeaderString(HttpHeaders.CONTENT_TYPE);
    String endpoint = request.getMethod() + " " + path(request);
    return ApiError.of(Response.Status.UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", type == null
        ? "Content-Type: required by " + endpoint
        : "Content-Type: " + Quoted.of(type) + " is not a type " + endpoint + " takes");
  }

  /**
   * A path under a resource's prefix that none of its endpoints takes ({@code /v1/nothing-here}): as
   * {@link #route}'s. Without a mapper RESTEasy passed it on to that route; with {@link
   * UnexpectedFailures}' it is mapped, and would be a 500.
   */
  @ServerExceptionMapper
  public Response notFound(NotFoundException e, ContainerRequestContext request) {
    return ApiError.of(Response.Status.NOT_FOUND, "not_found", noSuchPath(request.getUriInfo().getRequestUri().getRawPath()));
  }

  /**
   * The framework's other refusals (a 406 for an {@code Accept} the endpoint cannot give) keep their
   * answer, which {@link UnexpectedFailures} would make a 500; a failure of the server's is its.
   */
  @ServerExceptionMapper
  public Response refused(WebApplicationException e) {
    return e.getResponse().getStatus() < 500 ? e.getResponse() : UnexpectedFailures.answer(e);
  }

  /** A path under the API's prefixes that no endpoint took: after every other route, static pages included. */
  void route(@Observes Router router) {
    router.routeWithRegex("/(v1|idp)(/.*)?").order(RouteConstants.ROUTE_ORDER_AFTER_DEFAULT + 1000).handler(rc ->
        rc.response().setStatusCode(404).putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
            .end(new JsonObject().put("error", "not_found").put("message", noSuchPath(rc.request().path())).encode()));
  }

  private static String path(ContainerRequestContext request) {
    return Quoted.excerpt(request.getUriInfo().getRequestUri().getRawPath(), 200);
  }

  private static String noSuchPath(String path) {
    return "no endpoint at " + Quoted.excerpt(path, 200);
  }
}
